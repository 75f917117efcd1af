/**
 * A response whose body breaks off: the connection is lost mid-message.
 *
 * @module
 */

/** A 200 whose XML body stops after a few bytes with an error. */
export function droppedResponse(): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("<soap-env:Envelope"));
      controller.error(new Error("connection dropped on purpose"));
    },
  });
  return new Response(stream, {
    status: 200,
    headers: { "content-type": "text/xml" },
  });
}
