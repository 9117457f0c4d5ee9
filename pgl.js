const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
const { Pool } = require('pg');
(async () => {
  const t0 = Date.now();
  const db = await PGlite.create('/tmp/pgltest');
  console.log('created', Date.now()-t0);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const addr = server.server?.address?.() ;
  console.log('addr', addr, Object.keys(server));
})().catch(e => { console.error(e); process.exit(1); });
