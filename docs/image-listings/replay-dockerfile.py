#!/usr/bin/env python3
"""Replays a Dockerfile's stages without Docker: each stage is a directory standing for its filesystem root.
COPY copies from the context or an earlier stage; RUN runs with bash in the stage's WORKDIR, with the absolute
paths the Dockerfile uses rewritten under the stage root. `apk add` and `chown` are skipped (host toolchain, no
`node` user). Usage: replay.py <Dockerfile> <context dir> <out dir>"""
import os, re, shutil, subprocess, sys

dockerfile, context, out = (os.path.abspath(a) for a in sys.argv[1:4])
text = open(dockerfile).read()
lines, buf = [], ""
for raw in text.split("\n"):
    s = raw.rstrip()
    if s.lstrip().startswith("#") and not buf:
        continue
    if s.lstrip().startswith("#"):
        continue
    if s.endswith("\\"):
        buf += s[:-1] + " "
        continue
    buf += s
    if buf.strip():
        lines.append(buf.strip())
    buf = ""

args, stages, cur, idx = {}, {}, None, 0
ABS = ["/manifests", "/app", "/opt/opencti-connector", "/src"]

def rewrite(cmd, root):
    for p in ABS:
        cmd = re.sub(r'(?<![\w./-])' + re.escape(p) + r'(?=[/\s"\']|$)', root + p, cmd)
    return cmd

def copy(src, dst):
    if os.path.isdir(src):
        os.makedirs(dst, exist_ok=True)
        subprocess.run(["cp", "-a", src.rstrip("/") + "/.", dst], check=True)
    else:
        if dst.endswith("/") or os.path.isdir(dst):
            os.makedirs(dst, exist_ok=True)
            dst = os.path.join(dst, os.path.basename(src))
        else:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)

for line in lines:
    op, _, rest = line.partition(" ")
    op = op.upper()
    if op == "ARG":
        k, _, v = rest.partition("=")
        args[k] = v
    elif op == "FROM":
        m = re.match(r"\S+(?:\s+AS\s+(\S+))?", rest, re.I)
        name = m.group(1) or f"final"
        idx += 1
        cur = {"root": os.path.join(out, f"{idx}-{name}"), "workdir": "/", "env": {}}
        shutil.rmtree(cur["root"], ignore_errors=True)
        os.makedirs(cur["root"])
        stages[name] = cur
        print(f"== stage {name}", flush=True)
    elif op == "WORKDIR":
        cur["workdir"] = rest
        os.makedirs(cur["root"] + rest, exist_ok=True)
    elif op == "ENV":
        pass  # NODE_ENV / NODE_OPTIONS of the runtime stage change nothing on disk
    elif op == "COPY":
        parts = rest.split()
        src_root = context
        if parts[0].startswith("--from="):
            src_root = stages[parts[0][7:]]["root"]
            parts = parts[1:]
        *srcs, dst = parts
        dst_abs = dst if dst.startswith("/") else os.path.join(cur["workdir"], dst)
        if dst.endswith("/") and not dst_abs.endswith("/"):
            dst_abs += "/"
        for s in srcs:
            src_abs = os.path.join(src_root, s.lstrip("/")) if src_root != context else os.path.join(context, s)
            print(f"   COPY {s} -> {dst_abs}", flush=True)
            copy(os.path.normpath(src_abs) + ("/" if s.endswith("/") else ""), cur["root"] + dst_abs)
    elif op == "RUN":
        cmd = rest
        if re.match(r"apk add", cmd):
            print("   (skipped) RUN " + cmd, flush=True)
            continue
        cmd = cmd.replace("chown node:node", "true")
        cmd = rewrite(cmd, cur["root"])
        print("   RUN " + cmd[:300], flush=True)
        subprocess.run(["bash", "-ec", cmd], cwd=cur["root"] + cur["workdir"], check=True)
    else:
        pass  # USER, HEALTHCHECK, ENTRYPOINT: nothing on disk
print("final stage:", cur["root"])
