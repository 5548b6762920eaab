import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DIR, generatedValidatorFiles } from '../../../contract/generateValidators';

describe('contract/generated', () => {
  it('holds exactly the validators compiled from the current schemas (run `npm run contract` after a change)', () => {
    // GIVEN the validators compiled now WHEN compared with the committed files THEN they are the same, file by file.
    const expected = generatedValidatorFiles();
    expect(readdirSync(GENERATED_DIR).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected)) {
      expect(readFileSync(join(GENERATED_DIR, file), 'utf8')).toBe(content);
    }
  });
});
