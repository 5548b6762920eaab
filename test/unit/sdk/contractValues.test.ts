/**
 * The constants the SDK writes out (sdk/src/types.ts) hold the contract's values (contract/). sdk/typecheck/
 * contractTypes.ts proves the types equal, which settles a `const` tuple or object but not a list typed
 * `readonly PopStatus[]` (FINAL_POP_STATUSES) nor a RegExp (IDEMPOTENCY_KEY_PATTERN): their values are compared here.
 */
import * as contract from '../../../contract';
import * as sdk from '../../../sdk/src/types';

/** Every constant the SDK exports under a name the contract also exports. */
const shared = Object.keys(sdk).filter((name) => name in contract) as (keyof typeof sdk & keyof typeof contract)[];

const comparable = (value: unknown) => (value instanceof RegExp ? { source: value.source, flags: value.flags } : value);

describe("the SDK's constants are the contract's", () => {
  it('covers the status lists, the reasons, the error statuses and the Idempotency-Key pattern', () => {
    // GIVEN the SDK's exports WHEN matched by name to the contract's THEN the copies written out are all among them.
    expect(shared).toEqual(
      expect.arrayContaining([
        'POP_STATUSES',
        'FINAL_POP_STATUSES',
        'FAILURE_REASONS',
        'POP_REASONS',
        'ERROR_STATUS',
        'GATEWAY_DEFAULT_4XX_CODE',
        'IDEMPOTENCY_KEY_PATTERN',
      ]),
    );
  });

  it.each(shared)('%s has the same value in sdk/src/types.ts as in contract/', (name) => {
    // GIVEN a constant of both WHEN its values are compared THEN they are equal, order included.
    expect(comparable(sdk[name])).toEqual(comparable(contract[name]));
  });
});
