// Run a SELECT through Comunica with the endpoint as a SPARQL source.
// Usage: node comunica_query.mjs ENDPOINT QUERY  -> JSON array of {var: value} on stdout
import { QueryEngine } from '@comunica/query-sparql';

const [endpoint, query] = process.argv.slice(2);
const engine = new QueryEngine();
const stream = await engine.queryBindings(query, {
  sources: [{ type: 'sparql', value: endpoint }],
});
const rows = (await stream.toArray()).map((b) =>
  Object.fromEntries([...b].map(([variable, term]) => [variable.value, term.value])));
console.log(JSON.stringify(rows));
