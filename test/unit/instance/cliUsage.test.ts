/** The instance CLI's usage errors exit 2, as every CLI of this project does (provisioning/errors.ts EXIT.USAGE). */
import { EXIT, main } from '../../../instance/main';

function capture(): { text: () => string; restore: () => void } {
  let text = '';
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      text += chunk.toString();
      return true;
    }),
  );
  return { text: () => text, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

async function run(argv: string[]): Promise<{ code: number; output: string }> {
  const output = capture();
  try {
    return { code: await main(argv), output: output.text() };
  } finally {
    output.restore();
  }
}

describe('npm run instance usage', () => {
  test('a misspelled option exits 2 and names it (not "required option not specified")', async () => {
    const { code, output } = await run(['--confg', 'instance.json']);
    expect(code).toBe(EXIT.USAGE);
    expect(code).toBe(2);
    expect(output).toContain("unknown option '--confg'");
    expect(output).not.toContain('required option');
  });

  test('no --config exits 2 and says what is missing', async () => {
    const { code, output } = await run([]);
    expect(code).toBe(2);
    expect(output).toContain("required option '-c, --config <file>' not specified");
  });

  test('--help prints the usage and exits 0', async () => {
    const { code, output } = await run(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('Usage: npm run instance -- [options]');
    expect(output).toContain('2 usage or config error');
  });
});
