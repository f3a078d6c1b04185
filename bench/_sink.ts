/**
 * A minimal PLATO-shaped sink for benchmarks, run as its own process so it does
 * not share a core with the code being measured: accepts /submit and
 * /submit_batch, counts tiles, answers like the fleet server.
 */
let tiles = 0;
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/count") return Response.json({ tiles });
  const body = await req.json();
  if (path === "/submit_batch") {
    const n = body.tiles.length;
    tiles += n;
    return Response.json({
      accepted: n,
      rejected: 0,
      details: body.tiles.map(() => ({ status: "accepted", room: "bench", hash: "h" })),
    });
  }
  tiles++;
  return Response.json({
    status: "accepted",
    room: body.domain,
    tile_hash: "h",
    room_tile_count: tiles,
  });
});
console.log(server.addr.port);
