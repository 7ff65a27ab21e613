"""The nginx configuration rendered from deploy/nginx.conf.template (no app processes needed)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from deploy.serve_multi import COOKIE, render_nginx


def test_every_process_gets_a_route_with_the_others_as_backup() -> None:
    conf = render_nginx([9601, 9602, 9603], 9080, Path("/tmp/x"))
    upstreams = dict(re.findall(r"upstream fangxin_(b\d) \{ server 127\.0\.0\.1:(\d+) ", conf))
    assert upstreams == {"b1": "9601", "b2": "9602", "b3": "9603"}
    b2 = re.search(r"upstream fangxin_b2 \{([^}]*)\}", conf)
    assert b2 is not None and "127.0.0.1:9601 backup" in b2.group(1) and "127.0.0.1:9603 backup" in b2.group(1)
    assert "33.33% b1; 33.33% b2; * b3;" in conf  # new browsers are spread evenly
    assert re.search(rf"map \$cookie_{COOKIE} \$fangxin_route \{{\s*b1 b1;\s*b2 b2;\s*b3 b3;", conf)
    assert "listen 127.0.0.1:9080;" in conf
    directives = "\n".join(line.split("#")[0] for line in conf.splitlines())
    assert "${" not in directives.replace("${remote_addr}${request_id}", "")  # every placeholder was filled
    assert "ip_hash" not in directives  # loopback clients share one address


def test_the_rendered_configuration_is_valid_nginx(nginx: str) -> None:
    rundir = Path(tempfile.mkdtemp(prefix="fangxin-nginx-"))
    conf = rundir / "nginx.conf"
    conf.write_text(render_nginx([9601, 9602], 9080, rundir), encoding="utf-8")
    done = subprocess.run(
        [nginx, "-t", "-p", str(rundir), "-e", str(rundir / "error.log"), "-c", str(conf)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
