import t from 'tap';
import {
  Field,
  Float,
  Float32,
  Int,
  Int64,
  LargeUtf8,
  List,
  Precision,
  RecordBatch,
  Schema,
  Utf8,
  tableFromIPC,
  tableToIPC,
  Table,
  type DataType,
} from 'apache-arrow';
import { MonitorchError, plotSpecOf, tableSpecOf } from '@monitorch/core';
import { LensTable, rowsToRecordBatch, schemaFor } from '@monitorch/core/internals';
import { PROBE, plainRows, probeRows } from './arrow-fixtures.js';

const META = new Map([
  ['monitorch.table', 'typed'],
  ['monitorch.plot', JSON.stringify({ panels: [] })],
]);

function schemaWith(type: DataType): Schema {
  return new Schema([new Field('epoch', new Int(true, 32), false), new Field('x', type, true)], META);
}

t.test('column types are recognised by what the Arrow type is, however it was built or read', async (t) => {
  // A generic 32-bit Int and a double-precision Float are what a file read back holds.
  t.same(
    tableSpecOf(schemaWith(new Float(Precision.DOUBLE))).columns.map((c) => c.type),
    ['int32', 'float64'],
  );
  const element = new List(new Field('element', new Int(true, 32), false));
  t.equal(tableSpecOf(schemaWith(element)).columns[1]?.type, 'int32list', 'a list item may have another name');
  const fromFile = tableFromIPC(tableToIPC(new Table(rowsToRecordBatch(PROBE, probeRows(2)))));
  t.same(tableSpecOf(fromFile), PROBE, 'the spec read back from an IPC round trip');
});

t.test('a type lens tables do not use is refused, named as Arrow names it', async (t) => {
  const cases: [DataType, string][] = [
    [new Int64(), 'Int64'],
    [new Int(false, 32), 'Uint32'],
    [new Float32(), 'Float32'],
    [new LargeUtf8(), 'LargeUtf8'],
    // float64 lists are lens columns now (a histogram's fractions); lists of text are not.
    [new List(new Field('item', new Utf8(), true)), 'List<Utf8>'],
  ];
  for (const [type, name] of cases) {
    let error: unknown;
    try {
      tableSpecOf(schemaWith(type));
    } catch (e) {
      error = e;
    }
    t.ok(error instanceof MonitorchError && error.code === 'INVALID_ARGUMENT', `${name}: INVALID_ARGUMENT`);
    t.match((error as Error).message, `has the Arrow type ${name}, which lens tables do not use`, name);
    t.equal((error as MonitorchError).details['type'], name, `${name}: named in the details`);
  }
});

t.test('a batch whose list items are named otherwise still joins the table, under its schema', async (t) => {
  const batch = rowsToRecordBatch(PROBE, probeRows(1));
  const fields = schemaFor(PROBE).fields.map((f) =>
    f.name === 'channels' ? new Field(f.name, new List(new Field('element', new Int(true, 32), true)), true) : f,
  );
  const foreign = new RecordBatch(new Schema(fields), batch.data);
  const table = new LensTable(PROBE);
  table.append(foreign);
  t.same(plainRows(table.toTable()), plainRows(new Table(batch)));
  t.equal(table.toTable().schema, schemaFor(PROBE), "re-labelled with the table's own schema");
  const utf8Epoch = new RecordBatch(
    new Schema(fields.map((f) => (f.name === 'epoch' ? new Field('epoch', new Utf8(), false) : f))),
    batch.data,
  );
  t.throws(() => table.append(utf8Epoch), {
    code: 'INVALID_ARGUMENT',
    message: /has the columns \(epoch: Utf8, .*channels: List<Int32>.*\), but the table has \(epoch: Int32,/,
  });
});

t.test('cells that are neither numbers nor strings are named by kind, not printed', async (t) => {
  const [row] = probeRows(1);
  t.throws(() => rowsToRecordBatch(PROBE, [{ ...row, mean: {} as never }]), {
    code: 'INVALID_ARGUMENT',
    message: /column "mean", row 0: expected a number or null, got an object\./,
  });
  t.throws(() => rowsToRecordBatch(PROBE, [{ ...row, channels: new Float32Array([1]) as never }]), {
    message: /column "channels", row 0: expected an array of integers in the int32 range or null, got a Float32Array\./,
  });
});

t.test('a panel kind this version does not draw still reads: the drawer decides', async (t) => {
  const panels = [{ title: 'H', size: 'big', kind: 'heatmap', quantities: ['q'], line: 'mean' }];
  const schema = new Schema(
    [new Field('epoch', new Int(true, 32), false)],
    new Map([['monitorch.plot', JSON.stringify({ panels })]]),
  );
  t.same(plotSpecOf(schema), { panels });
});
