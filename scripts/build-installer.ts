// Static build of the installer for any HTTPS origin (no server of ours): copies the page, its
// stylesheet and modules into one folder with the client modules beside it. Web Bluetooth works
// there because https:// pages are secure contexts. Usage:
//   node scripts/build-installer.ts [--out dist/installer] [--hosted-url https://example.org/egw/]
// --hosted-url is where the copy will live; pages served by boxes link to it when Bluetooth is
// unavailable there (they read it from ?hosted=URL, or from this build's meta tag).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Writes the build into out; returns the files written. */
export function buildInstaller(out: string, hostedUrl?: string): string[] {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'src'), { recursive: true });
  const files = ['installer.css', 'profiles.js'];
  for (const file of files) cpSync(join('client/installer', file), join(out, file));
  for (const file of ['api-client.js', 'egwttp.js']) cpSync(join('client/src', file), join(out, 'src', file));
  const script = readFileSync('client/installer/installer.js', 'utf8').replaceAll("'../src/", "'./src/");
  writeFileSync(join(out, 'installer.js'), script);
  let html = readFileSync('client/installer/index.html', 'utf8');
  if (hostedUrl) {
    if (!/^https:\/\//.test(hostedUrl)) throw new Error(`--hosted-url ${hostedUrl}: must be an https:// URL`);
    const meta = `<meta name="egw-hosted-installer" content="${hostedUrl.replace(/"/g, '&quot;')}" />`;
    html = html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    ${meta}`);
  }
  writeFileSync(join(out, 'index.html'), html);
  return ['index.html', 'installer.js', ...files, 'src/api-client.js', 'src/egwttp.js'];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'dist/installer' }, 'hosted-url': { type: 'string' } },
  });
  const written = buildInstaller(values.out, values['hosted-url']);
  process.stdout.write(`installer built in ${values.out}: ${written.join(', ')}\n`);
}
