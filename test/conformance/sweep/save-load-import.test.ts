// docker save, docker load and docker import, as dockerd 20.10 answers them: the archive's layout,
// manifest.json and repositories, load's lines, loading twice, import's config.
import { spawnSync } from 'node:child_process';
import { context, outFile, sh } from './image-helpers.ts';
import { type Scenario, sweep } from './sweep.ts';

/** A root filesystem of one file, as a tar (and gzipped). */
const rootfs = context({ hello: 'hello\n' });
const rootTar = `${rootfs}.tar`;
const rootTgz = `${rootfs}.tgz`;
spawnSync('sh', ['-c', `tar -C ${rootfs} -cf ${rootTar} . && gzip -c ${rootTar} > ${rootTgz}`]);

const scenarios: Scenario[] = [
  {
    name: 'save -o: the layout of the archive, by name',
    setup: [['tag', 'busybox', 's:1']],
    run: (c) => {
      const tar = outFile('a.tar');
      // IDs differ by engine, and with them the order `sort` gives: they are named first.
      return sh(
        c,
        `docker save -o ${tar} busybox s:1 && tar -tf ${tar} | sed -E 's/[0-9a-f]{64}/ID/' | sort`,
      );
    },
    expect: {
      code: 0,
      stdout: 'ID.json\nID/\nID/VERSION\nID/json\nID/layer.tar\nmanifest.json\nrepositories\n',
      stderr: '',
    },
  },
  {
    name: 'save: manifest.json names the config, the tags and the layers',
    setup: [['tag', 'busybox', 's:1']],
    run: (c) => sh(c, 'docker save busybox s:1 | tar -xOf - manifest.json'),
    expect: {
      code: 0,
      stdout: '[{"Config":"<id>.json","RepoTags":["busybox:latest","s:1"],"Layers":["<id>/layer.tar"]}]\n',
      stderr: '',
    },
  },
  {
    name: 'save: repositories maps each tag to the top layer',
    setup: [['tag', 'busybox', 's:1']],
    run: (c) => sh(c, 'docker save busybox s:1 | tar -xOf - repositories'),
    expect: { code: 0, stdout: '{"busybox":{"latest":"<id>"},"s":{"1":"<id>"}}\n', stderr: '' },
  },
  {
    name: 'save by ID: no tags in the manifest, no repositories file',
    run: (c) => {
      const id = c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
      return sh(
        c,
        `docker save ${id.slice(7, 19)} | tar -xOf - manifest.json; docker save ${id.slice(7, 19)} | tar -tf - | grep -c repositories`,
      );
    },
    expect: {
      code: 1,
      stdout: '[{"Config":"<id>.json","RepoTags":null,"Layers":["<id>/layer.tar"]}]\n0\n',
      stderr: '',
    },
  },
  {
    name: 'save of a missing image',
    run: (c) => sh(c, 'docker save nope > /dev/null'),
    expect: { code: 1, stdout: '', stderr: 'Error response from daemon: No such image: nope\n' },
  },
  {
    name: 'save -o into a directory that is not there',
    run: ['save', '-o', '/nonexistent/x.tar', 'busybox'],
    expect: {
      code: 1,
      stdout: '',
      stderr: 'failed to save image: invalid output path: stat /nonexistent: no such file or directory\n',
    },
  },
  {
    name: 'load: one line per tag; loading the same again says the same',
    setup: [['tag', 'busybox', 's:1']],
    run: (c) => {
      const tar = outFile('b.tar');
      return sh(c, `docker save -o ${tar} busybox s:1 && docker load -i ${tar} && docker load < ${tar}`);
    },
    expect: {
      code: 0,
      stdout:
        'Loaded image: busybox:latest\nLoaded image: s:1\nLoaded image: busybox:latest\nLoaded image: s:1\n',
      stderr: '',
    },
  },
  {
    name: 'load after the image was removed brings it back, tags and all',
    setup: [(c) => void c.must(['build', '-q', '-t', 'app:1', '-'], 'FROM busybox\nRUN echo a > /a\n')],
    run: (c) => {
      const tar = outFile('c.tar');
      return sh(
        c,
        `docker save -o ${tar} app:1 && docker rmi app:1 >/dev/null && docker load -i ${tar} && docker run --rm app:1 cat /a`,
      );
    },
    expect: { code: 0, stdout: 'Loaded image: app:1\na\n', stderr: '' },
  },
  {
    name: 'load over a tag that names another image renames the old one',
    setup: [(c) => void c.must(['build', '-q', '-t', 'app:1', '-'], 'FROM busybox\nRUN echo a > /a\n')],
    run: (c) => {
      const tar = outFile('d.tar');
      return sh(c, `docker save -o ${tar} app:1 && docker tag busybox app:1 && docker load -i ${tar}`);
    },
    expect: {
      code: 0,
      stdout:
        'The image app:1 already exists, renaming the old one with ID sha256:<digest> to empty string\nLoaded image: app:1\n',
      stderr: '',
    },
  },
  {
    name: 'load of an image saved by ID: its ID, no tag',
    run: (c) => {
      const id = c.must(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim();
      const tar = outFile('e.tar');
      return sh(c, `docker save -o ${tar} ${id} && docker load -i ${tar}`);
    },
    expect: { code: 0, stdout: 'Loaded image ID: sha256:<digest>\n', stderr: '' },
  },
  {
    name: 'load -q: the loaded lines, no progress',
    run: (c) => {
      const tar = outFile('f.tar');
      return sh(c, `docker save -o ${tar} busybox && docker load -q -i ${tar}`);
    },
    expect: { code: 0, stdout: 'Loaded image: busybox:latest\n', stderr: '' },
  },
  {
    name: 'load of something that is not a tar',
    run: (c) => sh(c, 'echo junk | docker load'),
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error processing tar file(exit status 1): unexpected EOF\n',
    },
  },
  {
    name: 'import: a root filesystem tar as an image, tagged',
    run: (c) => {
      const id = c.docker(['import', rootTar, 'imp:1']);
      const cfg = c.docker([
        'image',
        'inspect',
        '-f',
        '{{json .Config}}|{{.Comment}}|{{.Author}}|{{.Parent}}|{{.Architecture}}/{{.Os}}|{{len .RootFS.Layers}}|{{.Size}}',
        'imp:1',
      ]);
      return { code: id.code || cfg.code, stdout: id.stdout + cfg.stdout, stderr: id.stderr + cfg.stderr };
    },
    expect: { code: 0, stdout: 'sha256:<digest>\n{}|Imported from -|||amd64/linux|1|6\n', stderr: '' },
  },
  {
    name: 'import -c and -m: the config and the message, in the history too',
    run: (c) => {
      c.must(['import', '-c', 'CMD ["/hello"]', '-c', 'ENV A=b', '-m', 'my msg', rootTgz, 'imp:2']);
      const cfg = c.docker(['image', 'inspect', '-f', '{{json .Config}}|{{.Comment}}', 'imp:2']);
      const h = c.docker(['history', '--format', '{{.CreatedBy}}|{{.Comment}}|{{.Size}}', 'imp:2']);
      return { code: cfg.code || h.code, stdout: cfg.stdout + h.stdout, stderr: cfg.stderr + h.stderr };
    },
    expect: { code: 0, stdout: '{"Env":["A=b"],"Cmd":["/hello"]}|my msg\n|my msg|6B\n', stderr: '' },
  },
  {
    name: 'import from stdin',
    run: (c) =>
      sh(c, `docker import - imp:3 < ${rootTar} && docker images imp --format '{{.Tag}} {{.Size}}'`),
    expect: { code: 0, stdout: 'sha256:<digest>\n3 6B\n', stderr: '' },
  },
  {
    name: 'import -c with an instruction import does not take',
    run: (c) => c.docker(['import', '-c', 'RUN x', rootTar]),
    expect: {
      code: 1,
      stdout: '',
      stderr: 'Error response from daemon: run is not a valid change command\n',
    },
  },
  {
    name: 'import of a file that is not there',
    run: ['import', '/nonexistent.tar'],
    expect: { code: 1, stdout: '', stderr: 'open /nonexistent.tar: no such file or directory\n' },
  },
];

sweep('save, load and import', scenarios);
