import { formatLine } from '../../../instance/log';

/** ScriptData may carry C1 controls, bidi overrides and separators; a log line never holds them raw. */
describe('the instance log line', () => {
  it.each([
    ['a C1 CSI', '\u009b2J', '\\u009b'],
    ['a C1 NEL', 'a\u0085b', '\\u0085'],
    ['a bidi override', 'abc\u202edef', '\\u202e'],
    ['a line separator', 'a\u2028b', '\\u2028'],
    ['a paragraph separator', 'a\u2029b', '\\u2029'],
    ['a bidi isolate', '\u2066x\u2069', '\\u2066'],
  ])('escapes %s in a ScriptData value, a field name and a plain value', (_, raw, escaped) => {
    const line = formatLine(
      { level: 'info', message: 'pop opened', fields: { fields: { [`F${raw}`]: raw }, reference: raw } },
      new Date(0),
    );
    expect(line).not.toMatch(/[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(line).toContain(escaped);
  });

  it('leaves ordinary text, accents and CJK as they are', () => {
    expect(
      formatLine({ level: 'info', message: 'pop opened', fields: { fields: { Name: 'Zoë 漢字' } } }, new Date(0)),
    ).toContain('"Zoë 漢字"');
  });
});
