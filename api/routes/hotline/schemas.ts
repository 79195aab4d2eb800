import { z } from 'zod';
import { type HotlineMapping, knownColumns } from '../../../platform/hotline-mapping.js';

/** A cell of a work order: text (null for an empty one) or a number (a JSON export's work-order number). */
const cell = z.union([z.string().max(20_000).nullable(), z.number()]).optional();

/**
 * One 12345 work order in the platform's own shape: the columns the mapping names (policy/hotline-mapping.json,
 * or HOTLINE_MAPPING_FILE), each optional here — which are required, and what their values may be, the
 * mapping says, and a 400 names the column. Any other column is refused, as every body of this API refuses
 * an unknown field: list it under the mapping's `ignored` to accept and drop it.
 */
export function workOrderSchema(mapping: HotlineMapping) {
  const shape = Object.fromEntries(knownColumns(mapping).map((column) => [column, cell]));
  return z.strictObject(shape).meta({ id: 'HotlineWorkOrder' });
}
