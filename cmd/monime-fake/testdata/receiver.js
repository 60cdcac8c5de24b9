// smoke.sh's webhook receiver under node: the same contract as
// receiver/main.go (listen on a free loopback port, write it to PORTFILE,
// save each POST's raw body and Monime-Signature header to DIR, answer 200).
// Usage: node receiver.js PORTFILE DIR
const http = require("http");
const fs = require("fs");
const path = require("path");
const [portFile, dir] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const save = (name, data) => {
      fs.writeFileSync(path.join(dir, name + ".tmp"), data);
      fs.renameSync(path.join(dir, name + ".tmp"), path.join(dir, name));
    };
    save("signature", req.headers["monime-signature"] || "");
    save("body", Buffer.concat(chunks));
    res.writeHead(200);
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
