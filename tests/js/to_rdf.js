// Read a JSON-LD document on stdin and print its N-Quads, as a web developer's jsonld.js would read it.
// argv[2]: the processing mode ("json-ld-1.0" checks that a JSON-LD 1.0 reader accepts the document).
// Any remote document is refused: the shipped context must be inline or resolved from a local file.
const fs = require("fs");
const jsonld = require("jsonld");

const mode = process.argv[2] || "json-ld-1.1";
const contexts = JSON.parse(process.argv[3] || "{}"); // IRI -> local file of a context document
const documentLoader = async (url) => {
  if (contexts[url]) {
    return {contextUrl: null, documentUrl: url, document: JSON.parse(fs.readFileSync(contexts[url], "utf8"))};
  }
  throw new Error(`refusing to load ${url}`);
};
const doc = JSON.parse(fs.readFileSync(0, "utf8"));
jsonld.toRDF(doc, {format: "application/n-quads", processingMode: mode, documentLoader})
  .then((nquads) => process.stdout.write(nquads))
  .catch((e) => { console.error(`${e.name}: ${e.message}`); process.exit(1); });
