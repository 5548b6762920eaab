/**
 * The reference instance's Desktop list as WebSocket messages (desktopMessages in
 * instance/connector.ts). API Gateway refuses a frame over 32 KB, so every message must fit one, measured in bytes of
 * the serialised message, and the parts together must be the list, in order, valid by the contract's schema.
 */
import fc from 'fast-check';
import validateDesktopMessage from '../../../contract/generated/DesktopMessage';
import {
  MAX_AGENT_NAME_LENGTH,
  MAX_DESKTOP_AGENTS,
  MAX_DESKTOP_PARTS,
  MAX_WEBSOCKET_FRAME_BYTES,
} from '../../../contract/limits';
import { problemsOf } from '../../../contract/problems';
import { desktopMessages } from '../../../instance/connector';

const bytes = (message: object) => Buffer.byteLength(JSON.stringify(message), 'utf8');

describe('desktopMessages', () => {
  it('sends a list that fits one frame as the one message it always was', () => {
    expect(desktopMessages(['agent1', 'agent2'], 4)).toEqual([{ Action: 'Desktop', Agents: ['agent1', 'agent2'] }]);
    expect(desktopMessages([], 4)).toEqual([{ Action: 'Desktop', Agents: [] }]);
  });

  it('splits 5,000 names of 128 four-byte characters (the worst case) into at most 100 parts of one frame each', () => {
    const agents = Array.from(
      { length: MAX_DESKTOP_AGENTS },
      (_, i) => `${String(i).padStart(4, '0')}${'𝔸'.repeat(MAX_AGENT_NAME_LENGTH - 4)}`,
    );
    const messages = desktopMessages(agents, 2);
    expect(messages.length).toBeLessThanOrEqual(MAX_DESKTOP_PARTS);
    for (const message of messages) expect(bytes(message)).toBeLessThanOrEqual(MAX_WEBSOCKET_FRAME_BYTES);
    expect(messages.flatMap((message) => message.Agents)).toEqual(agents);
  });

  it('always: every message fits the frame and the schema, parts are numbered 1..Parts with one Sequence, and together are the list (property)', () => {
    const name = fc
      .oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.stringMatching(/^[a-zé€𝔸"\\]{1,128}$/u))
      .filter((s) => problemsOf(validateDesktopMessage, { Action: 'Desktop', Agents: [s] }).length === 0);
    fc.assert(
      fc.property(
        fc.array(name, { maxLength: 600 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.nat({ max: 2 ** 40 }),
        (agents, frame, sequence) => {
          // At least 4,000 bytes: 600 names of 515 bytes at most then fit 100 parts.
          const frameBytes = Math.max(frame, 4000);
          const messages = desktopMessages(agents, sequence, frameBytes);
          expect(messages.flatMap((message) => message.Agents)).toEqual(agents);
          for (const message of messages) {
            expect(bytes(message)).toBeLessThanOrEqual(frameBytes);
            expect(problemsOf(validateDesktopMessage, message)).toEqual([]);
          }
          if (messages.length > 1) {
            expect(messages.map((message) => [message.Sequence, message.Part, message.Parts])).toEqual(
              messages.map((_, i) => [sequence, i + 1, messages.length]),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
