/**
 * Runs the core conformance cases inside workerd: `GET /` answers with the
 * results as JSON. The PLATO URL comes from the `PLATO_URL` binding.
 *
 * @module
 */
import { runCoreConformance } from "./core_conformance.ts";

export default {
  async fetch(_request: Request, env: { PLATO_URL: string }): Promise<Response> {
    return Response.json(await runCoreConformance(env.PLATO_URL, "workerd"));
  },
};
