#!/usr/bin/env python3
# Regenerates native/orchestrator/apiserver/protobuf/messages.ts (the protobuf field numbers berthd
# decodes) from the Go struct tags of checkouts of k8s.io/api and k8s.io/apimachinery:
#   python3 build/kube-proto-fields.py API_DIR APIMACHINERY_DIR > /tmp/tags.json
# then format the JSON into messages.ts as its header describes.
import re, glob, json, os, sys
API, AM = sys.argv[1], sys.argv[2]
pkgs = {
 'core': 'api/core/v1', 'apps': 'api/apps/v1', 'batch': 'api/batch/v1', 'discovery': 'api/discovery/v1',
 'storage': 'api/storage/v1', 'coordination': 'api/coordination/v1', 'events': 'api/events/v1',
 'autoscaling': 'api/autoscaling/v1', 'rbac': 'api/rbac/v1', 'networking': 'api/networking/v1', 'scheduling': 'api/scheduling/v1', 'policy': 'api/policy/v1', 'meta': 'am/pkg/apis/meta/v1',
 'authorization': 'api/authorization/v1', 'authentication': 'api/authentication/v1',
}
importpath = {
 'k8s.io/api/core/v1': 'core', 'k8s.io/apimachinery/pkg/apis/meta/v1': 'meta',
 'k8s.io/apimachinery/pkg/api/resource': 'resource', 'k8s.io/apimachinery/pkg/util/intstr': 'intstr',
 'k8s.io/apimachinery/pkg/runtime': 'runtime', 'k8s.io/apimachinery/pkg/types': 'types',
}
special = {  # wire-level scalars with their own messages
 'meta.Time': 'T', 'meta.MicroTime': 'T', 'resource.Quantity': 'Q', 'intstr.IntOrString': 'I',
 'runtime.RawExtension': 'R', 'meta.FieldsV1': 'R', 'meta.Duration': 'D', 'types.UID': 's',
}
structs = {}   # 'pkg.Name' -> list of (tag, json, gotype, flags)
aliases = {}   # 'pkg.Name' -> underlying go type (resolved in pkg)
for pkg, d in pkgs.items():
    for f in sorted(glob.glob((API + d[3:] if d.startswith('api/') else AM + d[2:]) + '/*.go')):
        if f.endswith('_test.go') or 'generated' in os.path.basename(f): continue
        src = open(f).read()
        imports = {}
        for m in re.finditer(r'^\s*(\w+)?\s*"([^"]+)"', (re.search(r'import \((.*?)\)', src, re.S) or re.search('x','x')).group(1) if re.search(r'import \((.*?)\)', src, re.S) else '', re.M):
            alias, path = m.group(1), m.group(2)
            imports[alias or path.split('/')[-1]] = importpath.get(path, path)
        for m in re.finditer(r'^type (\w+) (struct \{\n(.*?)\n\}|[^\n{]+)$', src, re.S | re.M):
            name = m.group(1)
            if m.group(3) is None and not m.group(2).startswith('struct'):
                aliases[f'{pkg}.{name}'] = (m.group(2).strip(), imports, pkg)
                continue
            body = m.group(3) or ''
            fields = []
            for line in body.split('\n'):
                line = line.strip()
                if line.startswith('//'): continue
                fm = re.match(r'^([\w.*]+)(?:\s+([^`]*?))?\s*`(.*)`', line)
                if not fm: continue
                tags = fm.group(3)
                pb = re.search(r'protobuf:"(\w+),(\d+),(\w+)(?:,[^"]*)?"', tags)
                if not pb: continue
                js = re.search(r'json:"([^"]*)"', tags)
                jname, *jopts = (js.group(1).split(',') if js else [''])
                fname, gotype = fm.group(1), (fm.group(2) or '').strip()
                inline = 'inline' in jopts or jname == ''
                if gotype == '':  # embedded: the name is the type
                    gotype = fname
                fields.append([int(pb.group(2)), jname, gotype, imports, pkg, 'omitempty' in jopts or 'omitzero' in jopts, inline])
            structs[f'{pkg}.{name}'] = fields

def qualify(t, imports, pkg):
    if '.' in t:
        a, n = t.split('.', 1)
        return f'{imports.get(a, a)}.{n}'
    return f'{pkg}.{t}'

def resolve(t, imports, pkg, depth=0):
    """Go type -> wire type code."""
    t = t.strip()
    ptr = t.startswith('*')
    if ptr: t = t[1:]
    if t.startswith('[]byte'): return 'y'
    if t.startswith('[]'): return '[]' + resolve(t[2:], imports, pkg)
    if t.startswith('map['):
        k, v = re.match(r'map\[([^\]]+)\](.*)', t).groups()
        return 'map:' + resolve(v, imports, pkg)
    if t in ('string',): return 's'
    if t in ('int32', 'int', 'uint32', 'int16'): return 'i'
    if t in ('int64', 'uint64'): return 'l'
    if t == 'bool': return 'b'
    if t in ('float64', 'float32'): return 'f'
    q = qualify(t, imports, pkg)
    if q in special: return special[q]
    if q in structs: return 'm:' + q
    if q in aliases:
        u, im, p = aliases[q]
        return resolve(u, im, p, depth + 1)
    return '?' + q

needed = set()
roots = ['core.Namespace','core.Node','core.Pod','core.Service','core.Endpoints','core.ConfigMap','core.Secret','core.ServiceAccount','core.Event','core.PersistentVolumeClaim',
 'apps.Deployment','apps.ReplicaSet','apps.StatefulSet','apps.DaemonSet','apps.ControllerRevision','batch.Job','batch.CronJob','discovery.EndpointSlice','storage.StorageClass','coordination.Lease','events.Event','autoscaling.Scale','meta.DeleteOptions','meta.Status','authentication.TokenRequest']
out = {}
unknown = set()
todo = list(roots)
while todo:
    s = todo.pop()
    if s in out: continue
    fields = []
    for tag, jname, gotype, imports, pkg, omit, inline in structs[s]:
        code = resolve(gotype, imports, pkg)
        ptr = gotype.strip().startswith('*') or gotype.strip().startswith('[]') or gotype.strip().startswith('map[')
        flags = (1 if ptr else 0) | (2 if omit else 0) | (4 if inline else 0)
        if code.startswith('?') or '?' in code: unknown.add(code); continue
        fields.append([tag, jname, code, flags])
        for mm in re.findall(r'm:([\w.]+)', code):
            todo.append(mm)
    out[s] = sorted(fields)
print('unknown', unknown, file=sys.stderr)
print(len(out), sum(len(v) for v in out.values()), file=sys.stderr)
json.dump(out, sys.stdout, separators=(',', ':'))
