"""Every file a user names is read with a cap and without waiting on a FIFO (issue 9, item 7): the exclusions
list of `evidence coverage` and a query file were still read whole (a device or a huge file until memory ran
out) or waited for a writer. Each case runs in a child process with an address-space limit and a time limit."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

SOURCE = "../shared/sources/zhang-2020-leninists-in-a-chinese-factory.txt"


def _limit():
    cap = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _cli(*args, timeout=60):
    env = {**os.environ, "JASIC_KG_CACHE": "0"}
    return subprocess.run([sys.executable, "-m", "jasic_kg", *map(str, args)], capture_output=True,
                          timeout=timeout, env=env, preexec_fn=_limit)


def _source(tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("One sentence here. Another one there.\n")
    return text


def test_exclusions_from_dev_zero_stop_at_the_cap(tmp_path):
    link = tmp_path / "exclusions.tsv"
    link.symlink_to("/dev/zero")
    r = _cli("evidence", "coverage", "--source", _source(tmp_path), "--exclusions", link, "--max-bytes", 4096)
    assert (r.returncode, r.stderr.decode().strip()) == (
        2, f"jasic-kg: error: {link}: more than --max-bytes (4096 bytes)")


def test_exclusions_from_a_fifo_with_no_writer_do_not_hang(tmp_path):
    fifo = tmp_path / "exclusions.tsv"
    os.mkfifo(fifo)
    r = _cli("evidence", "coverage", "--source", _source(tmp_path), "--exclusions", fifo, timeout=30)
    # read as empty: no header line, so nothing is excluded and no error; the report runs
    assert r.returncode == 1, r.stderr
    assert b"Traceback" not in r.stderr and r.stdout.decode().splitlines()[-1].startswith("2 sentences")


def test_exclusions_bigger_than_the_cap_are_refused_before_reading(tmp_path):
    big = tmp_path / "exclusions.tsv"
    with big.open("wb") as f:
        f.truncate(4 << 30)  # sparse: 4 GB that would not fit under the 1 GB limit
    r = _cli("evidence", "coverage", "--source", _source(tmp_path), "--exclusions", big)
    assert (r.returncode, r.stderr.decode().strip()) == (
        2, f"jasic-kg: error: {big}: larger than --max-bytes ({200 * 1024 * 1024} bytes)")


def test_a_huge_query_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "q.rq"
    with big.open("wb") as f:
        f.truncate(4 << 30)
    r = _cli("query", big)
    assert (r.returncode, r.stderr.decode().strip()) == (
        2, f"jasic-kg: error: {big}: query is {4 << 30} bytes, over the limit of 1048576")
