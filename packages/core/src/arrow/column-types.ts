import { Bool, DataType, Field, Float64, Int32, List, Precision, Utf8 } from 'apache-arrow';
import type { ColumnType } from '../tables/table-spec.js';

// Types are recognised with Arrow's own predicates (which test the type id), never by their
// printed name or by `instanceof`: a file read back gives a generic `Int` of 32 bits, not an
// `Int32` instance, and a second copy of apache-arrow in node_modules has its own classes.

/** Whether `type` is a signed 32-bit integer, however it was built or read. */
export function isInt32Type(type: DataType): type is Int32 {
  return DataType.isInt(type) && type.bitWidth === 32 && type.isSigned;
}

/** Whether `type` is a 64-bit float. */
export function isFloat64Type(type: DataType): type is Float64 {
  return DataType.isFloat(type) && type.precision === Precision.DOUBLE;
}

/** Whether `type` is a list of signed 32-bit integers (whatever its item field is named). */
export function isInt32ListType(type: DataType): type is List<Int32> {
  if (!DataType.isList(type)) return false;
  const item: Field<DataType> | undefined = type.children[0];
  return item !== undefined && isInt32Type(item.type);
}

/** Whether `type` is a list of 64-bit floats (whatever its item field is named). */
export function isFloat64ListType(type: DataType): type is List<Float64> {
  if (!DataType.isList(type)) return false;
  const item: Field<DataType> | undefined = type.children[0];
  return item !== undefined && isFloat64Type(item.type);
}

/**
 * The Arrow type of a column type. `int32list` elements are named `item`, as pyarrow and
 * polars name them, so the files look familiar in those tools.
 */
export function arrowType(type: ColumnType): DataType {
  switch (type) {
    case 'int32':
      return new Int32();
    case 'float64':
      return new Float64();
    case 'utf8':
      return new Utf8();
    case 'bool':
      return new Bool();
    case 'int32list':
      return new List(new Field('item', new Int32(), true));
    case 'float64list':
      return new List(new Field('item', new Float64(), true));
  }
}

/** The column type of an Arrow type, or undefined for types lens tables never use. */
export function columnTypeOf(type: DataType): ColumnType | undefined {
  if (isInt32Type(type)) return 'int32';
  if (isFloat64Type(type)) return 'float64';
  if (DataType.isUtf8(type)) return 'utf8';
  if (DataType.isBool(type)) return 'bool';
  if (isInt32ListType(type)) return 'int32list';
  if (isFloat64ListType(type)) return 'float64list';
  return undefined;
}

/**
 * Arrow's own name of a type (`Int32`, `List<Int32>`, `Timestamp<MILLISECOND>`), for error
 * messages only. Every concrete Arrow type prints itself so, but the abstract `DataType` does
 * not declare its `toString` in the typings.
 */
export function arrowTypeName(type: DataType): string {
  return (type as DataType & { toString(): string }).toString();
}
