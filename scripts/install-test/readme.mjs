// Reads a package README's "## Install" section and applies it to an app made by
// @backstage/create-app, word for word where the README gives a command or a whole line, and by
// the smallest merge where it gives a snippet of a file the app already has:
//
// - ```sh blocks: every line starting with `yarn ` is run as written, in the app's root
//   (`# ...` lines are comments); any other command is refused, so a README cannot ask for a step
//   this test silently skips.
// - a block whose first line is `// packages/backend/src/index.ts`: each `backend.add(...)` line
//   the app does not have yet goes in before `backend.start();`.
// - a block whose first line is `// packages/app/src/App.tsx`: the import lines the app lacks are
//   added, and the names in the snippet's `features: [...]` the app lacks join the app's list.
// - a block whose first line is `// packages/app/src/components/catalog/EntityPage.tsx` (the
//   legacy frontend system): written as that file. A legacy app's EntityPage.tsx already imports
//   `EntityLayout`, `EntitySwitch` and `Grid`; create-app's default app (new frontend system) has
//   no such file, so those imports are put in front and the page is exported, so that `tsc` checks
//   the snippet as a legacy app would compile it.
// - a block whose first line is `# .yarnrc.yml`: its `npmPreapprovedPackages` entries are added.
// Other blocks (permission policy fragments, catalog YAML, app-config) are not applied here.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function installSection(readmePath) {
  const text = readFileSync(readmePath, 'utf8');
  const start = text.search(/^## Install\s*$/m);
  if (start < 0) throw new Error(`${readmePath} has no "## Install" section`);
  const rest = text.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

export function codeBlocks(section) {
  const blocks = [];
  const re = /^```(\w*)\n([\s\S]*?)^```\s*$/gm;
  for (let m = re.exec(section); m; m = re.exec(section)) {
    blocks.push({ lang: m[1], body: m[2] });
  }
  return blocks;
}

const LEGACY_PREAMBLE = `// Written by scripts/install-test from the README's legacy snippet; a legacy app's
// EntityPage.tsx already has these imports.
import { EntityLayout, EntitySwitch } from '@backstage/plugin-catalog';
import { Grid } from '@material-ui/core';
`;

/**
 * Applies one README's install section to the app at appDir. run(args) runs `yarn <args>` in the
 * app's root and throws on failure. Returns the list of what it did, for the log.
 */
export async function applyInstallSection(readmePath, appDir, run) {
  const done = [];
  for (const { lang, body } of codeBlocks(installSection(readmePath))) {
    const first = body.split('\n')[0].trim();
    if (lang === 'sh') {
      for (const raw of body.split('\n')) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        if (!line.startsWith('yarn ')) {
          throw new Error(`${readmePath}: no rule to run "${line}"`);
        }
        await run(line.split(/\s+/).slice(1));
        done.push(line);
      }
    } else if (first === '// packages/backend/src/index.ts') {
      const file = join(appDir, 'packages/backend/src/index.ts');
      let src = readFileSync(file, 'utf8');
      for (const line of body.split('\n').map(l => l.trim())) {
        if (!line.startsWith('backend.add(') || src.includes(line)) continue;
        if (!src.includes('backend.start();')) {
          throw new Error(`${file} has no backend.start();`);
        }
        src = src.replace('backend.start();', `${line}\n\nbackend.start();`);
        done.push(`backend index: ${line}`);
      }
      writeFileSync(file, src);
    } else if (first === '// packages/app/src/App.tsx') {
      const file = join(appDir, 'packages/app/src/App.tsx');
      let src = readFileSync(file, 'utf8');
      const imports = body.split('\n').filter(l => l.startsWith('import '));
      for (const line of imports) {
        if (src.includes(line)) continue;
        const lastImport = src.lastIndexOf('\nimport ');
        const eol = src.indexOf('\n', src.indexOf(';', lastImport + 1));
        src = `${src.slice(0, eol + 1)}${line}\n${src.slice(eol + 1)}`;
        done.push(`App.tsx: ${line}`);
      }
      const wanted = /features:\s*\[([^\]]*)\]/.exec(body);
      const have = /features:\s*\[([^\]]*)\]/.exec(src);
      if (wanted && !have) throw new Error(`${file} has no features: [...]`);
      if (wanted) {
        const names = s =>
          s
            .split(',')
            .map(n => n.trim())
            .filter(Boolean);
        const missing = names(wanted[1]).filter(
          n => !names(have[1]).includes(n),
        );
        if (missing.length) {
          const list = [...names(have[1]), ...missing].join(', ');
          src = src.replace(have[0], `features: [${list}]`);
          done.push(`App.tsx features: + ${missing.join(', ')}`);
        }
      }
      writeFileSync(file, src);
    } else if (
      first === '// packages/app/src/components/catalog/EntityPage.tsx'
    ) {
      const file = join(
        appDir,
        'packages/app/src/components/catalog/EntityPage.tsx',
      );
      const page = /^const (\w+) =/m.exec(body)?.[1];
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        `${LEGACY_PREAMBLE}${body.split('\n').slice(1).join('\n')}${
          page ? `\nexport { ${page} };\n` : ''
        }`,
      );
      done.push(`EntityPage.tsx: the legacy snippet`);
    } else if (first === '# .yarnrc.yml') {
      const file = join(appDir, '.yarnrc.yml');
      let src = readFileSync(file, 'utf8');
      const entries = [
        ...body.matchAll(/^\s+-\s+('[^']+'|"[^"]+"|\S+)\s*$/gm),
      ].map(m => m[1]);
      for (const entry of entries) {
        if (src.includes(entry)) continue;
        if (!/^npmPreapprovedPackages:\n/m.test(src)) {
          src += `npmPreapprovedPackages:\n`;
        }
        src = src.replace(
          /^npmPreapprovedPackages:\n/m,
          m => `${m}  - ${entry}\n`,
        );
        done.push(`.yarnrc.yml npmPreapprovedPackages: + ${entry}`);
      }
      writeFileSync(file, src);
    }
  }
  return done;
}
