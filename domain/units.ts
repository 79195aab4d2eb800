// The organisation is a tree (DOMAIN.md "Organisation"): city bureau → district bureau → street/town
// squad. A unit's path is its ancestors' ids and its own from the city, joined by "/":
// "310000/310112/310112-ab12cd". Paths are taken apart only here.

/** A unit's place in the tree, from the city. */
export type UnitPath = string;

const SEPARATOR = '/';

export function unitPathOf(...ids: string[]): UnitPath {
  return ids.join(SEPARATOR);
}

/** The unit's own id: the last step of its path. */
export function unitIdOf(path: UnitPath): string {
  return path.slice(path.lastIndexOf(SEPARATOR) + 1);
}

export function parentPath(path: UnitPath): UnitPath {
  const i = path.lastIndexOf(SEPARATOR);
  return i < 0 ? path : path.slice(0, i);
}

/** The city bureau at the top of the path. */
export function rootPath(path: UnitPath): UnitPath {
  const i = path.indexOf(SEPARATOR);
  return i < 0 ? path : path.slice(0, i);
}

/** True when `unit` is `ancestor` or lies below it in the tree. */
export function isWithin(unit: UnitPath, ancestor: UnitPath): boolean {
  return unit === ancestor || unit.startsWith(ancestor + SEPARATOR);
}

/** True for a district or a squad: any unit below the city bureau. */
export function isBelowCity(path: UnitPath): boolean {
  return path.includes(SEPARATOR);
}

/** The district a path lies in (its second step), if it reaches that deep. */
export function districtIdOf(path: UnitPath | undefined): string | undefined {
  return path?.split(SEPARATOR)[1];
}

/** The squad a path lies in (its third step), if it reaches that deep. */
export function squadIdOf(path: UnitPath | undefined): string | undefined {
  return path?.split(SEPARATOR)[2];
}
