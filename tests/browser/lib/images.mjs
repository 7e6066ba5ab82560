// Test images the fixture builder does not write, made here in plain Node: a ustar writer and a
// classic `docker save` layout (manifest.json, <id>/layer.tar, <sha256>.json config). The CLI
// reads them like any other, so the page is always compared with it.
import crypto from 'node:crypto';
import fs from 'node:fs';

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

/** One ustar header block. Names up to 100 bytes, or split at a '/' into prefix + name. */
export function tarHeader(name, { size = 0, type = '0', mode = 0o644, uid = 0, gid = 0, mtime = 1700000000, link = '' } = {}) {
  const h = Buffer.alloc(512);
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 1 - 0);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`name too long for ustar: ${prefix}/${name}`);
  }
  const put = (off, len, str) => h.write(str, off, len, 'utf8');
  const oct = (off, len, n) => put(off, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
  put(0, 100, name);
  oct(100, 8, mode);
  oct(108, 8, uid);
  oct(116, 8, gid);
  oct(124, 12, size);
  oct(136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum counted as spaces
  put(156, 1, type);
  put(157, 100, link);
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  put(345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

const pad = (n) => Buffer.alloc((512 - (n % 512)) % 512);

/** A tar from [{ name, data?, type?, mode?, link? }]. */
export function tar(entries) {
  const parts = [];
  for (const e of entries) {
    const data = e.data == null ? Buffer.alloc(0) : Buffer.from(e.data);
    parts.push(tarHeader(e.name, { ...e, size: data.length }), data, pad(data.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A classic `docker save` tarball of uncompressed layers (each a tar Buffer). */
export function dockerArchive(layers, opts = {}) {
  return dockerArchiveOf([{ layers, ...opts }]);
}

/** A `docker save` tarball of several images: [{ layers, tag?, createdBy?, labels?, env? }]. */
export function dockerArchiveOf(images) {
  const entries = [];
  const manifest = [];
  images.forEach(({ layers, tag = 'example.com/test:1', createdBy = 'test layer', labels = {}, env = ['PATH=/usr/bin:/bin'] }, n) => {
    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: env, Cmd: ['/bin/sh'], Labels: labels },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha256(l)}`) },
      history: layers.map((_, i) => ({ created_by: `${createdBy} ${i}` })),
    }));
    const configName = `${sha256(config)}.json`;
    const ids = layers.map((l, i) => sha256(Buffer.concat([Buffer.from(`image ${n} layer ${i}`), l])));
    layers.forEach((l, i) => entries.push({ name: `${ids[i]}/`, type: '5', mode: 0o755 }, { name: `${ids[i]}/layer.tar`, data: l }));
    entries.push({ name: configName, data: config });
    manifest.push({ Config: configName, RepoTags: [tag], Layers: ids.map((id) => `${id}/layer.tar`) });
  });
  entries.push({ name: 'manifest.json', data: JSON.stringify(manifest) });
  return tar(entries);
}

/** File names and a label that are HTML: they must show literally, never run. */
export const HTML_NAME = '<img src=x onerror=alert(1)>';
export const HTML_DIR = '<svg onload=alert(4)>'; // no '/': it is one path component
export function htmlNamesImage() {
  const layer = tar([
    { name: `${HTML_DIR}/`, type: '5', mode: 0o755 },
    { name: `${HTML_DIR}/${HTML_NAME}`, data: '<script>alert(2)</script>\n' },
    { name: `${HTML_NAME}`, data: 'x' },
    { name: 'etc/', type: '5', mode: 0o755 },
    { name: 'etc/motd', data: 'hello\n' },
  ]);
  return dockerArchive([layer], { tag: 'example.com/<i>html</i>:1', labels: { note: '<img src=y onerror=alert(3)>' } });
}

/**
 * Secrets the core's rules find (samples from src/scan/secrets/rules.toml): an AWS key in a file
 * that a later layer deletes, and a GitHub token in the environment.
 */
export const SECRET_VALUES = ['AKIAZ3MQJW6T4YQXRV2P', 'ghp_fDNxSIvPZZ63fFKcZjR4I0b3jRtaWr4Y9OJF'];
export function secretsImage() {
  return dockerArchive([
    tar([{ name: 'app/', type: '5', mode: 0o755 }, { name: 'app/.env', data: `aws_access_key_id = ${SECRET_VALUES[0]}\n` }]),
    tar([{ name: 'app/.wh..env', data: '' }]),
  ], { tag: 'example.com/leaky:1', env: ['PATH=/usr/bin:/bin', `GITHUB_TOKEN=${SECRET_VALUES[1]}`] });
}

/**
 * A secret deep in a file that a later layer replaces: /srv/settings.ini has the AWS key on
 * line SECRET_LINE in layer 0 (between hundreds of harmless lines), and layer 1 writes a clean
 * version over it. The finding is in layer 0's version, which still ships.
 */
export const SECRET_LINE = 4000; // beyond the first 64 KiB the preview reads
export function deepSecretImage() {
  const filler = (n, what) => Array.from({ length: n }, (_, i) => `${what}_${i} = value ${i}`).join('\n');
  const dirty = `${filler(SECRET_LINE - 1, 'setting')}\naws_access_key_id = ${SECRET_VALUES[0]}\n${filler(300, 'later')}\n`;
  return dockerArchive([
    tar([{ name: 'srv/', type: '5', mode: 0o755 }, { name: 'srv/settings.ini', data: dirty }]),
    tar([{ name: 'srv/settings.ini', data: `${filler(20, 'clean')}\n` }]),
  ], { tag: 'example.com/deep-secret:1' });
}

/** An image of one layer holding `bytes` of random data (a fetch that takes a while). */
export function randomLayerImage(bytes) {
  return dockerArchive([tar([{ name: 'random.bin', data: crypto.randomBytes(bytes) }])], { tag: 'example.com/random:1' });
}

/** An image with a dpkg database (two packages) and an npm package. */
export function packagesImage() {
  const status = [
    'Package: adduser\nStatus: install ok installed\nArchitecture: all\nVersion: 3.134\n',
    'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n',
  ].join('\n');
  return dockerArchive([tar([
    { name: 'etc/', type: '5', mode: 0o755 },
    { name: 'etc/os-release', data: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
    { name: 'var/lib/dpkg/status', data: `${status}\n` },
    { name: 'app/node_modules/left-pad/package.json', data: JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }) },
  ])], { tag: 'example.com/packages:1' });
}

/** An image whose /many directory holds `n` empty files (and a few other paths). */
export function manyFilesImage(n) {
  const parts = [tarHeader('many/', { type: '5', mode: 0o755 })];
  for (let i = 0; i < n; i++) parts.push(tarHeader(`many/f${String(i).padStart(6, '0')}.txt`));
  parts.push(tarHeader('etc/', { type: '5', mode: 0o755 }));
  const data = Buffer.from('many files\n');
  parts.push(tarHeader('etc/motd', { size: data.length }), data, pad(data.length), Buffer.alloc(1024));
  return dockerArchive([Buffer.concat(parts)], { tag: 'example.com/many:1' });
}

/**
 * A docker archive whose one layer holds a single file of `bytes` zeros, written sparse (the
 * file takes no disk space and is written at once). Its diff_id is deliberately wrong: it is
 * only read to be cancelled.
 */
export function sparseBigImage(path, bytes) {
  const inner = tarHeader('zeros.bin', { size: bytes });
  const layerSize = 512 + bytes + ((512 - (bytes % 512)) % 512) + 1024;
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${'0'.repeat(64)}`] } }));
  const configName = `${sha256(config)}.json`;
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: ['example.com/big:1'], Layers: ['big/layer.tar'] }]));
  const fd = fs.openSync(path, 'w');
  try {
    let off = 0;
    const write = (buf) => { fs.writeSync(fd, buf, 0, buf.length, off); off += buf.length; };
    write(tarHeader('big/layer.tar', { size: layerSize }));
    write(inner);
    off += layerSize - 512; // zeros: left as a hole
    for (const [name, data] of [[configName, config], ['manifest.json', manifest]]) {
      write(tarHeader(name, { size: data.length }));
      write(Buffer.concat([data, pad(data.length)]));
    }
    write(Buffer.alloc(1024));
  } finally {
    fs.closeSync(fd);
  }
}

/** Walks the outer tar's headers: [{ name, offset (of the header), size }]. */
export function tarEntries(buf) {
  const out = [];
  let off = 0;
  while (off + 512 <= buf.length) {
    const name = buf.subarray(off, off + 100).toString().replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(buf.subarray(off + 124, off + 136).toString().replace(/\0.*$/s, '').trim() || '0', 8);
    out.push({ name, offset: off, size });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Flips one byte in the middle of the blob whose entry name ends with `suffix`. */
export function tamper(buf, suffix) {
  const copy = Buffer.from(buf);
  const e = tarEntries(copy).find((x) => x.name.endsWith(suffix));
  if (!e) throw new Error(`no entry ending with ${suffix}`);
  copy[e.offset + 512 + Math.floor(e.size / 2)] ^= 1;
  return copy;
}
