// Real registries for the browser tests: Debian's `docker-registry` (the CNCF distribution
// registry) with filesystem storage in a temp dir, Debian's nginx in front of it as the README
// shows, images pushed with Debian's `skopeo`, passwords written with `htpasswd`. Each server
// is this test's own process on 127.0.0.1 and a free port, with its own config (never a
// system default), and is stopped by the test.
//
// The CORS snippets come from the README itself, so the configuration the README shows is the
// one tested.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { root } from './harness.mjs';

const readme = () => fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** Fails with what to run when a tool the registry tests use is missing. */
export function need(...tools) {
  for (const t of tools) {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    } catch {
      throw new Error(`${t} is not installed: run make setup-tests (scripts/setup.sh --tests)`);
    }
  }
}

/** The `http.headers` block of the distribution config in the README (YAML, under `http:`). */
export function readmeRegistryHeaders() {
  const m = readme().match(/```yaml\nhttp:\n( {2}headers:\n(?: {4}.*\n)+)```/);
  if (!m) throw new Error('README.md: no ```yaml http: headers: … ``` block');
  return m[1].replace(/ +#.*$/gm, '');
}

/** The nginx `server { … }` block in the README, with its example ports (5001 in front of a
 *  registry on 5000) replaced by the test's. */
export function readmeNginxServer(listenPort, registryPort) {
  const m = readme().match(/```nginx\n(# In front of a registry[^\n]*\n(?:[^`]*\n)?server \{\n[\s\S]*?\n\})\n```/);
  if (!m) throw new Error('README.md: no ```nginx # In front of a registry … server { … } ``` block');
  const text = m[1];
  if (!text.includes('listen 127.0.0.1:5001;') || !text.includes('proxy_pass http://127.0.0.1:5000;')) {
    throw new Error('README.md nginx block: expected listen 127.0.0.1:5001 and proxy_pass http://127.0.0.1:5000');
  }
  return text.replace('listen 127.0.0.1:5001;', `listen 127.0.0.1:${listenPort};`)
    .replace('proxy_pass http://127.0.0.1:5000;', `proxy_pass http://127.0.0.1:${registryPort};`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, what, logFile) {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode != null) throw new Error(`${what} exited with ${child.exitCode}: ${tail(logFile)}`);
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() - t0 > 20000) throw new Error(`${what} did not start on port ${port}: ${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tail = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '(no log)');

/** Every server started here, so that nothing outlives the test process even if it crashes. */
const running = new Set();
process.on('exit', () => { for (const c of running) c.kill('SIGKILL'); });

function start(cmd, args, logFile) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

async function stop(child) {
  if (child.exitCode != null || child.signalCode != null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** `htpasswd -Bbc FILE user pass` (bcrypt: distribution accepts nothing else). */
export function htpasswd(file, user, pass) {
  execFileSync('htpasswd', ['-Bbc', file, user, pass], { stdio: 'ignore' });
  return file;
}

/**
 * `docker-registry serve` on 127.0.0.1:PORT with storage in `dir`; `cors`: the README's
 * http.headers (`headers`: other http.headers YAML instead); `htpasswdFile`: Basic auth;
 * `storage`: more lines under `storage:` (deletion on). Logs requests (level info) to
 * `dir`/registry.log.
 */
export async function startRegistry(dir, { cors = true, headers = null, htpasswdFile = null, storage = '' } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    ...(storage ? [storage.replace(/\n$/, '')] : []),
    ...(htpasswdFile ? ['auth:', '  htpasswd:', '    realm: porthole-test', `    path: ${htpasswdFile}`] : []),
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ].join('\n') + '\n' + (headers ?? (cors ? readmeRegistryHeaders() : ''));
  const configFile = path.join(dir, 'config.yml');
  fs.writeFileSync(configFile, config);
  const logFile = path.join(dir, 'registry.log');
  const child = start('docker-registry', ['serve', configFile], logFile);
  await waitForPort(port, child, 'docker-registry', logFile);
  return {
    port,
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    dir,
    /** `skopeo copy` an OCI archive (or `transport` docker-archive: a `docker save` tarball) to
     *  NAME:TAG here, or through `via` (host:port of a proxy); `all`: every platform of an index. */
    push(archive, name, { all = false, creds = null, via = null, transport = 'oci-archive' } = {}) {
      const args = ['copy', '-q', '--dest-tls-verify=false'];
      if (all) args.push('--all');
      if (creds) args.push(`--dest-creds=${creds.user}:${creds.pass}`);
      args.push(`${transport}:${archive}`, `docker://${via || `127.0.0.1:${port}`}/${name}`);
      execFileSync('skopeo', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    },
    /** The file in storage that holds blob `digest` ("sha256:…"). */
    blobFile(digest) {
      const hex = digest.replace(/^sha256:/, '');
      return path.join(dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    /** The HTTP methods of the requests a browser sent, from the registry's log. */
    browserMethods() {
      return fs.readFileSync(logFile, 'utf8').split('\n')
        .filter((l) => /http\.request\.useragent="[^"]*Chrome/.test(l))
        .map((l) => l.match(/http\.request\.method=(\w+)/)?.[1]).filter(Boolean);
    },
    log: () => tail(logFile),
    stop: () => stop(child),
  };
}

/**
 * Debian's nginx with the README's server block in front of the registry on `registryPort`:
 * `nginx -c CONF -p DIR -e ERRLOG -g 'daemon off; pid …;'`, listening on 127.0.0.1 only,
 * every path (logs, temp files, pid) in `dir`.
 */
export async function startNginx(dir, registryPort) {
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const access = path.join(dir, 'access.log');
  const errors = path.join(dir, 'error.log');
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, [
    'worker_processes 1;',
    `error_log ${errors} info;`,
    'events { worker_connections 64; }',
    'http {',
    '    log_format methods \'$request_method $status "$request_uri" "$http_user_agent"\';',
    `    access_log ${access} methods;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${path.join(dir, 'tmp', t)};`),
    readmeNginxServer(port, registryPort).replace(/^/gm, '    '),
    '}',
    '',
  ].join('\n'));
  const nginx = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx'; // sbin: not on every PATH
  const child = start(nginx, ['-c', conf, '-p', `${dir}/`, '-e', errors, '-g', `daemon off; pid ${path.join(dir, 'nginx.pid')};`], path.join(dir, 'nginx.out'));
  await waitForPort(port, child, 'nginx', errors);
  return {
    port,
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    conf,
    /** [{ method, status, uri, agent }] of every request nginx answered. */
    requests() {
      if (!fs.existsSync(access)) return [];
      return fs.readFileSync(access, 'utf8').split('\n').filter(Boolean).map((l) => {
        const m = l.match(/^(\S+) (\d+) "([^"]*)" "([^"]*)"$/);
        return m ? { method: m[1], status: Number(m[2]), uri: m[3], agent: m[4] } : { method: '?', line: l };
      });
    },
    log: () => tail(errors),
    stop: () => stop(child),
  };
}

/**
 * Many repositories and tags, made through the distribution API as the issue asks (not with a
 * skopeo run each): the image's blobs are uploaded once to `repos[0]`, mounted from there into
 * every other repository (`POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>`), and the
 * manifest is PUT under each tag. `image` = { manifest (Buffer), mediaType, blobs: [Buffer] }.
 * Requests run `parallel` at a time. `auth`: an Authorization header value, if needed.
 */
export async function populate(origin, image, repos, tags, { parallel = 16, auth = null } = {}) {
  const headers = (extra = {}) => ({ ...(auth ? { authorization: auth } : {}), ...extra });
  const digest = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
  const ok = async (res, what) => {
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  };
  const [first] = repos;
  for (const blob of image.blobs) {
    const start = await fetch(`${origin}/v2/${first}/blobs/uploads/`, { method: 'POST', headers: headers() });
    await ok(start, 'upload start');
    const loc = new URL(start.headers.get('location'), origin);
    loc.searchParams.set('digest', digest(blob));
    await ok(await fetch(loc, { method: 'PUT', headers: headers({ 'content-type': 'application/octet-stream' }), body: blob }), 'upload');
  }
  const jobs = repos.map((repo) => async () => {
    if (repo !== first) {
      for (const blob of image.blobs) {
        const res = await fetch(`${origin}/v2/${repo}/blobs/uploads/?mount=${digest(blob)}&from=${first}`, { method: 'POST', headers: headers() });
        await ok(res, `mount into ${repo}`);
        if (res.status !== 201) throw new Error(`mount into ${repo}: HTTP ${res.status}, not 201`);
      }
    }
    for (const tag of tags) {
      await ok(await fetch(`${origin}/v2/${repo}/manifests/${tag}`, {
        method: 'PUT', headers: headers({ 'content-type': image.mediaType }), body: image.manifest,
      }), `manifest ${repo}:${tag}`);
    }
  });
  const workers = Array.from({ length: parallel }, async () => {
    while (jobs.length) await jobs.shift()();
  });
  await Promise.all(workers);
}
