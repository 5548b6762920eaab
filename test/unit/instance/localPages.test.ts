/**
 * What the two local pages share (instance/desktopPage/base.css and dom.ts): each page's stylesheet is the shared one
 * followed by its own, so a page's rule wins a tie; and a burst of server events asks the browser for one draw.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { pageAssets } from '../../../instance/desktopPage/assets';
import { oncePerFrame } from '../../../instance/desktopPage/dom';

const ROOT = join(__dirname, '../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

test.each([
  ['instance/desktopPage', 'desktop'],
  ['local/console', 'console'],
])("%s's stylesheet is base.css, then its own %s.css", (dir, name) => {
  const { css } = pageAssets(join(ROOT, dir), name);

  expect(css).toBe(`${read('instance/desktopPage/base.css')}\n${read(`${dir}/${name}.css`)}`);
});

describe('oncePerFrame', () => {
  const frames: FrameRequestCallback[] = [];
  const runFrames = () => frames.splice(0).forEach((frame) => frame(0));
  let draw: jest.Mock;
  let schedule: () => void;

  beforeEach(() => {
    frames.length = 0;
    globalThis.requestAnimationFrame = (frame: FrameRequestCallback) => frames.push(frame);
    draw = jest.fn();
    schedule = oncePerFrame(draw);
  });

  test('asks for one frame however often it is called before that frame, and draws once in it', () => {
    schedule();
    schedule();
    schedule();

    expect(frames).toHaveLength(1);
    expect(draw).not.toHaveBeenCalled();
    runFrames();
    expect(draw).toHaveBeenCalledTimes(1);
  });

  test('asks for the next frame again once the last one has drawn', () => {
    schedule();
    runFrames();
    schedule();
    runFrames();

    expect(draw).toHaveBeenCalledTimes(2);
  });
});
