/// <reference lib="dom" />
/**
 * Browser helpers both local pages bundle (assets.ts): this Desktop page (desktop.client.ts) and the local console
 * (local/console/console.client.ts).
 */

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** An element with text content only: data from the server never reaches innerHTML. */
export function el(tag: string, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** The wall-clock time of an ISO instant, 24-hour, in the browser's locale. */
export const time = (iso: string): string => new Date(iso).toLocaleTimeString([], { hour12: false });

/** The JSON an event of an EventSource carries. */
export const eventData = <T>(message: Event): T => JSON.parse((message as MessageEvent<string>).data) as T;

/**
 * A function that asks for `draw` on the next animation frame, once however often it is called before then: a burst
 * of server events costs one draw per frame.
 */
export function oncePerFrame(draw: () => void): () => void {
  let requested = false;
  return () => {
    if (requested) return;
    requested = true;
    requestAnimationFrame(() => {
      requested = false;
      draw();
    });
  };
}
