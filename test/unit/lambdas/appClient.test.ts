/** The app client's secret is read once per container; a failed read is asked again, never kept (lambdas/auth/appClient.ts). */
import { clientSecretOnce } from '../../../lambdas/auth/appClient';

test('reads at once (cold start), keeps the secret, and reads again only after a failure', async () => {
  const answers = [Promise.reject(new Error('ThrottlingException')), Promise.resolve('s3cret')];
  answers[0]!.catch(() => undefined);
  const read = jest.fn(() => answers.shift()!);
  const secret = clientSecretOnce(read);
  expect(read).toHaveBeenCalledTimes(1); // started before the first request
  await new Promise((settled) => setImmediate(settled)); // the cold-start read has failed by the first request
  await expect(secret()).resolves.toBe('s3cret'); // so this call reads again
  await expect(secret()).resolves.toBe('s3cret');
  expect(read).toHaveBeenCalledTimes(2);
});

test('concurrent first requests share one read', async () => {
  let resolve: (value: string) => void = () => undefined;
  const read = jest.fn(() => new Promise<string>((r) => (resolve = r)));
  const secret = clientSecretOnce(read);
  const both = Promise.all([secret(), secret()]);
  resolve('s3cret');
  await expect(both).resolves.toEqual(['s3cret', 's3cret']);
  expect(read).toHaveBeenCalledTimes(1);
});
