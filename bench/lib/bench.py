#!/usr/bin/env python3
"""Helpers of bench/run (Python 3 standard library only).

  bench.py snap OUT.json                     every process: pid, ppid, start, CPU ticks (self + reaped children), RSS
  bench.py record RESULTS META.json          one sipp run: parse its files, CPU deltas per group, append a JSON line
  bench.py idle RESULTS META.json SECONDS    idle CPU and RSS of every service, appended as one JSON line
  bench.py propagation RESULTS META.json N   provisioning change -> visible in routing us/eu/ap, N samples
  bench.py provision META.json               create the benchmark application and domains
  bench.py report RESULTS META.json OUT.md   the Markdown report (also printed to stdout)

META.json is written by bench/run: ports, pids (launcher, kamailio, answer server, far end), data dir, settings.
"""

import base64
import http.client
import json
import os
import random
import statistics
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


# ---------------------------------------------------------------------------------------------------- processes

def read_proc(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("latin-1")
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode("latin-1").strip()
    except OSError:
        return None
    # comm may contain spaces and parentheses: split after the last ')'
    rparen = stat.rindex(")")
    comm = stat[stat.index("(") + 1:rparen]
    fields = stat[rparen + 2:].split()
    # fields[0] is state (field 3); utime is field 14 -> index 11
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    start = int(fields[19])
    rss_pages = int(fields[21])
    return {"pid": pid, "ppid": ppid, "comm": comm, "cmd": cmd[:400], "start": start,
            "ticks": utime + stime + cutime + cstime, "rss_kb": rss_pages * PAGE_KB}


def snapshot():
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            p = read_proc(int(name))
            if p:
                procs[str(p["pid"])] = p
    return {"time": time.time(), "mono": time.monotonic(), "procs": procs}


def load_json(path):
    with open(path) as f:
        return json.load(f)


def platform_roots(meta):
    """pid -> service name, from the launcher's pid file (children.pids) plus the launcher itself."""
    roots = {}
    pids_file = os.path.join(meta["data_dir"], "run", "children.pids")
    try:
        with open(pids_file) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    roots[int(parts[0])] = parts[1]
    except OSError:
        pass
    if meta.get("launcher_pid"):
        roots[int(meta["launcher_pid"])] = "launcher"
    return roots


def classify(snap, meta):
    """Assigns each process of the snapshot to a group: a platform service, kamailio, answer-server, far-end."""
    roots = platform_roots(meta)
    for key, name in (("kamailio_pid", "kamailio"), ("answer_pid", "answer-server"), ("uas_pid", "far-end")):
        if meta.get(key):
            roots[int(meta[key])] = name
    procs = snap["procs"]
    data_dir = meta["data_dir"]
    groups = {}
    for key, p in procs.items():
        pid, seen, group = p["pid"], 0, None
        while pid and seen < 64:
            if pid in roots:
                group = roots[pid]
                break
            parent = procs.get(str(pid))
            if parent is None:
                break
            pid = parent["ppid"]
            seen += 1
        if group is None and data_dir in p["cmd"]:
            # PostgreSQL's postmaster detaches from the JVM that started it; its command line names the data dir
            group = "postgres"
        if group is None:
            # a backend of that postmaster
            parent = procs.get(str(p["ppid"]))
            if parent and data_dir in parent["cmd"] and "postgres" in parent["cmd"]:
                group = "postgres"
        if group:
            groups.setdefault(group, []).append(key)
    return groups


PLATFORM = ["kafka", "postgres", "schema-registry", "provisioning-service", "webhook-service",
            "routing-us", "routing-eu", "routing-ap", "launcher"]


def cpu_delta(before, after, meta):
    """ms of CPU per group between two snapshots (processes born in between count whole)."""
    groups = classify(after, meta)
    out = {}
    for group, keys in groups.items():
        total = 0
        for key in keys:
            a = after["procs"][key]
            b = before["procs"].get(key)
            if b and b["start"] == a["start"]:
                total += a["ticks"] - b["ticks"]
            else:
                total += a["ticks"]
        out[group] = total * 1000.0 / CLK_TCK
    out["platform"] = sum(v for k, v in out.items() if k in PLATFORM)
    return out


def rss(snap, meta):
    groups = classify(snap, meta)
    return {g: sum(snap["procs"][k]["rss_kb"] for k in keys) / 1024.0 for g, keys in groups.items()}


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def pss(snap, meta):
    groups = classify(snap, meta)
    return {g: sum(pss_kb(snap["procs"][k]["pid"]) for k in keys) / 1024.0 for g, keys in groups.items()}


# ---------------------------------------------------------------------------------------------------- sipp files

def last_csv(path):
    """Header and last data row of a sipp ';' CSV (stat or counts file) as a dict."""
    try:
        with open(path, errors="replace") as f:
            lines = [l.rstrip("\n") for l in f if l.strip()]
    except OSError:
        return {}
    if len(lines) < 2:
        return {}
    head = lines[0].rstrip(";").split(";")
    row = lines[-1].rstrip(";").split(";")
    return dict(zip(head, row))


def num(d, key):
    try:
        return int(float(d.get(key, 0)))
    except (TypeError, ValueError):
        return 0


def rtt_values(path):
    out = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                parts = line.strip().split(";")
                if len(parts) >= 3 and parts[2] and parts[2] != "rtd_no":
                    try:
                        out.setdefault(parts[2], []).append(float(parts[1]))
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def sipp_summary(run_dir, prefix):
    stat = last_csv(os.path.join(run_dir, prefix + "_stat.csv"))
    counts_file = next((os.path.join(run_dir, f) for f in os.listdir(run_dir)
                        if f.endswith("_counts.csv")), None)
    counts = last_csv(counts_file) if counts_file else {}
    rtt_file = next((os.path.join(run_dir, f) for f in os.listdir(run_dir) if f.endswith("_rtt.csv")), None)
    recv = {}
    retrans_by_msg = 0
    for k, v in counts.items():
        parts = k.split("_")
        if len(parts) >= 3 and parts[-1] == "Recv":
            recv[parts[1]] = recv.get(parts[1], 0) + num(counts, k)
        if parts[-1] == "Retrans":
            retrans_by_msg += num(counts, k)
    elapsed = 0.0
    e = stat.get("ElapsedTime(C)", "")
    if e:
        try:
            h, m, s = e.split(":")[:3]
            elapsed = int(h) * 3600 + int(m) * 60 + float(s)
        except ValueError:
            pass
    return {
        "created": num(stat, "TotalCallCreated") or num(stat, "OutgoingCall(C)"),
        "successful": num(stat, "SuccessfulCall(C)"),
        "failed": num(stat, "FailedCall(C)"),
        "failed_timeout": num(stat, "FailedTimeoutOnRecv(C)") + num(stat, "FailedMaxUDPRetrans(C)"),
        "failed_unexpected": num(stat, "FailedUnexpectedMessage(C)"),
        "current": num(stat, "CurrentCall"),
        "retrans": num(stat, "Retransmissions(C)"),
        "retrans_by_msg": retrans_by_msg,
        "dead_msgs": num(stat, "DeadCallMsgs(C)"),
        "out_of_call_msgs": num(stat, "OutOfCallMsgs(C)"),
        "elapsed_s": elapsed,
        "recv": recv,
        "rtt": rtt_values(rtt_file) if rtt_file else {},
        "stat_found": bool(stat),
    }


def uas_totals(path):
    d = last_csv(path)
    return {"retrans": num(d, "Retransmissions(C)"), "failed": num(d, "FailedCall(C)"),
            "successful": num(d, "SuccessfulCall(C)"), "incoming": num(d, "IncomingCall(C)")}


# ---------------------------------------------------------------------------------------------------- commands

def scrape(port):
    """psip_calls_shed_total{reason} and psip_calls_rejected_total{code} from a routing service's Prometheus page."""
    out = {}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=5)
        conn.request("GET", "/actuator/prometheus")
        text = conn.getresponse().read().decode("utf-8", "replace")
        conn.close()
    except (OSError, http.client.HTTPException):
        return out
    for line in text.splitlines():
        for metric, label in (("psip_calls_shed_total", "reason"), ("psip_calls_rejected_total", "code")):
            if line.startswith(metric + "{"):
                labels, _, value = line.rpartition(" ")
                key = label + "=" + (labels.split(label + '="', 1)[1].split('"', 1)[0] if label + '="' in labels else "?")
                try:
                    out[key] = out.get(key, 0.0) + float(value)
                except ValueError:
                    pass
    return out


def cmd_scrape(port, out):
    with open(out, "w") as f:
        json.dump(scrape(port), f)


def cmd_snap(out):
    with open(out, "w") as f:
        json.dump(snapshot(), f)


def cmd_record(results, meta_path, run_dir):
    """run_dir holds run.json (what bench/run did), before.json/after.json, uas_before.json and sipp's files."""
    meta = load_json(meta_path)
    run = load_json(os.path.join(run_dir, "run.json"))
    settle = os.path.join(run_dir, "settle.json")
    if os.path.exists(settle):
        run.update(load_json(settle))
    before = load_json(os.path.join(run_dir, "before.json"))
    after = load_json(os.path.join(run_dir, "after.json"))
    s = sipp_summary(run_dir, "caller")
    uas_b = load_json(os.path.join(run_dir, "uas_before.json"))
    uas_a = uas_totals(meta["uas_stat"])
    run.update(s)
    run["uas_retrans"] = max(0, uas_a["retrans"] - uas_b["retrans"])
    run["uas_failed"] = max(0, uas_a["failed"] - uas_b["failed"])
    run["cpu_ms"] = cpu_delta(before, after, meta)
    mb, ma = os.path.join(run_dir, "metrics_before.json"), os.path.join(run_dir, "metrics_after.json")
    if os.path.exists(mb) and os.path.exists(ma):
        b, a = load_json(mb), load_json(ma)
        run["routing_counters"] = {k: int(v - b.get(k, 0.0)) for k, v in a.items() if v - b.get(k, 0.0) > 0}
    run["window_s"] = after["mono"] - before["mono"]
    shed = s["recv"].get("503", 0) if run["kind"] != "refused" else 0
    run["shed_503"] = shed
    unfinished = max(0, run["calls"] - s["successful"] - s["failed"])
    run["unfinished"] = unfinished
    run["completed"] = max(0, s["successful"] - shed)
    run["failed_total"] = s["failed"] + unfinished
    rtt = run.pop("rtt")
    if run.get("keep_rtt"):
        run["rtt"] = rtt
    with open(results, "a") as f:
        f.write(json.dumps(run) + "\n")
    msg = (f"  {run['kind']:8} {run['target']:8} {run['rate']:5}/s rep {run['rep']}: "
           f"{'(settled ' + str(run['settle_s']) + ' s) ' if run.get('settle_s', 0) >= 2 else ''}"
           f"completed {run['completed']}/{run['calls']}, failed {run['failed_total']}, 503 {shed}, "
           f"retrans {s['retrans']}+{run['uas_retrans']}, "
           f"SIP CPU {per_call(run, sip_group(run['target'])):.3f} ms/call")
    print(msg, flush=True)


def cmd_uas_before(meta_path, out):
    meta = load_json(meta_path)
    with open(out, "w") as f:
        json.dump(uas_totals(meta["uas_stat"]), f)


def cmd_settle(results, meta_path, max_s, out):
    """Waits (at most max_s) until psip and Kamailio are back near their idle CPU, so that one run's backlog (GC,
    queued events, retransmissions) does not load the machine during the next run of the other target."""
    meta = load_json(meta_path)
    idle_rate = None
    with open(results) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "idle" and r.get("label") == "before load":
                idle_rate = (r["cpu_ms"].get("platform", 0.0) + r["cpu_ms"].get("kamailio", 0.0)) / r["window_s"]
    threshold = 1.5 * idle_rate + 50.0 if idle_rate is not None else 300.0
    started = time.monotonic()
    rate = None
    prev = snapshot()
    while time.monotonic() - started < float(max_s):
        time.sleep(1.0)
        cur = snapshot()
        cpu = cpu_delta(prev, cur, meta)
        rate = (cpu.get("platform", 0.0) + cpu.get("kamailio", 0.0)) / (cur["mono"] - prev["mono"])
        prev = cur
        if rate <= threshold:
            break
    with open(out, "w") as f:
        json.dump({"settle_s": round(time.monotonic() - started, 1), "settle_rate": rate,
                   "settle_threshold": threshold}, f)


def cmd_idle(results, meta_path, seconds, label="after load"):
    meta = load_json(meta_path)
    before = snapshot()
    time.sleep(float(seconds))
    after = snapshot()
    cpu = cpu_delta(before, after, meta)
    window = after["mono"] - before["mono"]
    rec = {"kind": "idle", "label": label, "window_s": window, "cpu_ms": cpu, "rss_mb": rss(after, meta), "pss_mb": pss(after, meta)}
    with open(results, "a") as f:
        f.write(json.dumps(rec) + "\n")


def api(meta, method, path, body=None, port=None):
    conn = http.client.HTTPConnection("127.0.0.1", port or meta["provisioning_port"], timeout=15)
    token = base64.b64encode(f"{meta['api_key']}:{meta['api_secret']}".encode()).decode()
    headers = {"Authorization": "Basic " + token, "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def operator_headers(meta):
    """The routing tables are the operator's (psip.operator.*; the launcher's local credential by default)."""
    token = base64.b64encode(f"{meta.get('operator_user', 'operator')}:{meta.get('operator_password', 'psiplocaloperator')}"
                             .encode()).decode()
    return {"Authorization": "Basic " + token}


def wait_visible(meta, name, predicate, timeout_s=60.0):
    deadline = time.monotonic() + timeout_s
    ports = meta["routing_http_ports"]
    pending = dict(ports)
    while pending and time.monotonic() < deadline:
        for region, port in list(pending.items()):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", f"/v1/tables/domains/{name}", headers=operator_headers(meta))
                r = conn.getresponse()
                body = r.read().decode("utf-8", "replace")
                conn.close()
                if r.status == 200 and predicate(body):
                    del pending[region]
            except OSError:
                pass
        if pending:
            time.sleep(0.2)
    return not pending


def cmd_provision(meta_path):
    meta = load_json(meta_path)
    answer = f"http://127.0.0.1:{meta['answer_port']}"
    status, data = api(meta, "POST", "/v2/applications", {
        "name": "bench-voice",
        "capabilities": {"voice": {"webhooks": {
            "answer_url": {"address": answer + "/answer", "http_method": "GET"},
            "event_url": {"address": answer + "/event", "http_method": "POST"}}}}})
    if status not in (200, 201):
        sys.exit(f"bench: creating the application failed: {status} {data[:300]!r}")
    app_id = json.loads(data)["id"]
    for name in (meta["domain"], meta["prop_domain"]):
        status, data = api(meta, "PUT", f"/v1/psip/{name}",
                           {"name": name, "application_id": app_id, "acl": ["127.0.0.1/32"]})
        if status not in (200, 201):
            sys.exit(f"bench: creating domain {name} failed: {status} {data[:300]!r}")
    for name in (meta["domain"], meta["prop_domain"]):
        if not wait_visible(meta, name, lambda body: True):
            sys.exit(f"bench: domain {name} did not reach every routing table in 60 s")
    meta["application_id"] = app_id
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    print(f"bench: application {app_id}, domains {meta['domain']} and {meta['prop_domain']} routable in us, eu, ap")


def cmd_propagation(results, meta_path, samples):
    """PUT a new ACL on the propagation domain, then poll the three routing tables until each shows it."""
    meta = load_json(meta_path)
    name = meta["prop_domain"]
    ports = meta["routing_http_ports"]
    token = base64.b64encode(f"{meta['api_key']}:{meta['api_secret']}".encode()).decode()
    api_conn = http.client.HTTPConnection("127.0.0.1", meta["provisioning_port"], timeout=15)
    conns = {r: http.client.HTTPConnection("127.0.0.1", p, timeout=5) for r, p in ports.items()}
    out = []
    failures = 0
    overall = time.monotonic() + max(60.0, 2.0 * int(samples))   # the whole test is bounded too
    for i in range(int(samples)):
        if time.monotonic() > overall:
            failures += int(samples) - i
            break
        marker = f"10.{77 + i // 65000 % 100}.{i // 250 % 250}.{i % 250 + 1}/32"
        body = json.dumps({"name": name, "application_id": meta["application_id"], "acl": ["127.0.0.1/32", marker]})
        t0 = time.monotonic()
        try:
            api_conn.request("PUT", f"/v1/psip/{name}", body=body,
                             headers={"Authorization": "Basic " + token, "Content-Type": "application/json"})
            r = api_conn.getresponse()
            r.read()
        except (OSError, http.client.HTTPException):
            api_conn.close()
            api_conn = http.client.HTTPConnection("127.0.0.1", meta["provisioning_port"], timeout=15)
            failures += 1
            continue
        t_api = time.monotonic() - t0
        if r.status not in (200, 201):
            failures += 1
            continue
        seen = {}
        deadline = t0 + 10.0
        needle = marker.split("/")[0]
        while len(seen) < len(ports) and time.monotonic() < deadline:
            for region, conn in conns.items():
                if region in seen:
                    continue
                try:
                    conn.request("GET", f"/v1/tables/domains/{name}", headers=operator_headers(meta))
                    resp = conn.getresponse()
                    text = resp.read().decode("utf-8", "replace")
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conns[region] = http.client.HTTPConnection("127.0.0.1", ports[region], timeout=5)
                    continue
                if resp.status == 200 and needle in text:
                    seen[region] = time.monotonic() - t0
            if len(seen) < len(ports):
                time.sleep(0.001)
        if len(seen) < len(ports):
            failures += 1
            continue
        out.append({"api_ms": t_api * 1000, "regions_ms": {k: v * 1000 for k, v in seen.items()},
                    "all_ms": max(seen.values()) * 1000})
        time.sleep(random.uniform(0.05, 0.15))
    rec = {"kind": "propagation", "samples": out, "failures": failures}
    with open(results, "a") as f:
        f.write(json.dumps(rec) + "\n")
    alls = [s["all_ms"] for s in out]
    if alls:
        print(f"  propagation: {len(alls)} samples, p50 {pct(alls, 50):.1f} ms, p99 {pct(alls, 99):.1f} ms, "
              f"{failures} failed", flush=True)
    else:
        print(f"  propagation: no sample succeeded ({failures} failed)", flush=True)


# ---------------------------------------------------------------------------------------------------- report

def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def sip_group(target):
    return "kamailio" if target == "kamailio" else "routing-eu"


def per_call(run, group, calls_key="completed"):
    calls = run.get(calls_key) or 0
    return run["cpu_ms"].get(group, 0.0) / calls if calls else float("nan")


def fmt(x, digits=2):
    if x is None or (isinstance(x, float) and x != x):
        return "n/a"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def ratio(a, b):
    if a is None or b is None or a != a or b != b or b == 0:
        return float("nan")
    return a / b


def cmd_report(results_path, meta_path, out_path):
    meta = load_json(meta_path)
    recs = []
    with open(results_path) as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    calls = [r for r in recs if r["kind"] == "calls"]
    idles = [r for r in recs if r["kind"] == "idle"]
    idle = next((r for r in idles if r.get("label", "after load") == "after load"), None)
    idle_before = next((r for r in idles if r.get("label") == "before load"), None)
    idle_platform_rate = idle["cpu_ms"]["platform"] / idle["window_s"] if idle else None
    rates = sorted({r["rate"] for r in calls})
    targets = ["kamailio", "psip"]
    L = []
    w = L.append

    def agg(target, rate, kind="calls"):
        rs = [r for r in recs if r["kind"] == kind and r["target"] == target and r["rate"] == rate]
        if not rs:
            return None
        a = {"runs": len(rs)}
        for k in ("calls", "completed", "failed_total", "shed_503", "retrans", "uas_retrans", "successful",
                  "unfinished"):
            a[k] = sum(r.get(k, 0) for r in rs)
        a["elapsed_s"] = sum(r.get("elapsed_s", 0) for r in rs)
        a["window_s"] = sum(r.get("window_s", 0) for r in rs)
        cpu = {}
        for r in rs:
            for g, v in r["cpu_ms"].items():
                cpu[g] = cpu.get(g, 0.0) + v
        a["cpu_ms"] = cpu
        a["completed_per_s"] = a["completed"] / a["elapsed_s"] if a["elapsed_s"] else float("nan")
        a["retrans_pct"] = 100.0 * (a["retrans"] + a["uas_retrans"]) / a["calls"] if a["calls"] else float("nan")
        denom = a["completed"] if kind != "refused" else a["successful"]
        a["sip_ms"] = cpu.get(sip_group(target), 0.0) / denom if denom else float("nan")
        a["platform_ms"] = cpu.get("platform", 0.0) / denom if denom else float("nan")
        a["answer_ms"] = cpu.get("answer-server", 0.0) / denom if denom else float("nan")
        a["platform_net_ms"] = ((cpu.get("platform", 0.0) - idle_platform_rate * a["window_s"]) / denom
                                if denom and idle_platform_rate is not None else float("nan"))
        a["clean"] = a["failed_total"] == 0 and a["retrans_pct"] < 1.0 and (target != "psip" or a["shed_503"] == 0)
        return a

    table = {(t, r): agg(t, r) for t in targets for r in rates}

    def max_clean(target):
        best = None
        for r in rates:
            a = table.get((target, r))
            if a and a["clean"]:
                best = r
        return best

    mc = {t: max_clean(t) for t in targets}
    ref = meta.get("ref_rate", 200)
    if ref not in rates and rates:
        ref = min(rates, key=lambda r: abs(r - ref))
    k_ref, p_ref = table.get(("kamailio", ref)), table.get(("psip", ref))
    sip_ratio = ratio(p_ref["sip_ms"] if p_ref else None, k_ref["sip_ms"] if k_ref else None)
    platform_ms = p_ref["platform_ms"] if p_ref else float("nan")

    refused = {t: agg(t, meta.get("refused_rate", 200), "refused") for t in targets}
    refused_ratio = ratio(refused["psip"]["sip_ms"] if refused["psip"] else None,
                          refused["kamailio"]["sip_ms"] if refused["kamailio"] else None)

    def lat(target, rate, rtd):
        vals = []
        for r in calls:
            if r["target"] == target and r["rate"] == rate:
                vals.extend(r.get("rtt", {}).get(rtd, []))
        return vals

    prop = next((r for r in recs if r["kind"] == "propagation"), None)
    prop_all = [s["all_ms"] for s in prop["samples"]] if prop else []
    startups = [r for r in recs if r["kind"] == "startup"]
    overload = [r for r in recs if r["kind"] == "overload"]

    # ------------------------------------------------------------------ header
    mode = meta.get("mode", "full")
    w("# psip benchmarks")
    w("")
    w(f"Produced by `bench/run{' --quick' if mode == 'quick' else ''}` on {meta.get('date', '?')} "
      f"({meta.get('host', '?')}: {meta.get('cpus', '?')} CPUs, {meta.get('kernel', '?')}; "
      f"git `{meta.get('git', '?')}`).")
    if meta.get("load_start"):
        w("")
        w(f"Load average (1, 5, 15 min) at the start: {' '.join(meta['load_start'])}; at the end: "
          f"{' '.join(meta.get('load_end', ['?']))}.")
    if meta.get("note"):
        w("")
        w(f"Note: {meta['note']}")
    if meta.get("helper_restarts"):
        w("")
        w(f"**Helpers restarted during the run** (they had exited or been killed from outside; the runs named "
          f"started with a fresh one): {meta['helper_restarts']}")
    if mode == "quick":
        w("")
        w("**This is a quick run** (few rates, one repetition, short runs): the figures show that the suite works "
          "and roughly where psip stands, not the platform's capacity. Ratios measured in one run (psip beside "
          "Kamailio, interleaved) are the figures that count; absolute times on a shared machine are not.")
    else:
        w("")
        w("Ratios measured in one run (psip beside Kamailio, interleaved) are the figures that count; absolute "
          "times on a shared machine are not.")
    w("")
    if meta.get("elapsed_s"):
        w(f"The whole run took {meta['elapsed_s'] / 60:.1f} min.")
        w("")
    if meta.get("answer_stats"):
        a = meta["answer_stats"]
        w(f"The customer's server answered {a.get('answer', 0)} answer_url and {a.get('event', 0)} event_url "
          f"requests, in {a.get('mean_us', 0) / 1000:.2f} ms on average inside its handler "
          f"(max {a.get('max_us', 0) / 1000:.1f} ms): it was not the bottleneck if these stay small.")
        w("")
    w(f"Settings: rates {', '.join(str(r) for r in rates)} calls/s; {meta.get('reps')} repetition(s) of each "
      f"target per rate, interleaved (kamailio, psip, kamailio, psip, ...); {meta.get('duration')} s of calls per "
      f"run; hold time {meta.get('hold_ms')} ms; reference rate for CPU per call {ref} calls/s; 403 path at "
      f"{meta.get('refused_rate')} calls/s.")
    w("")

    # ------------------------------------------------------------------ goals
    w("## Goals")
    w("")
    w("| Goal | Target | Measured | Met |")
    w("|---|---|---|---|")

    def goal(name, target, measured, met):
        w(f"| {name} | {target} | {measured} | {'yes' if met is True else ('no' if met is False else 'n/a')} |")

    def ok(x, limit):
        return None if x is None or x != x else x <= limit

    goal("Routing CPU per connected call vs Kamailio relay", "≤ 1.5×",
         f"{fmt(sip_ratio)}× ({fmt(p_ref['sip_ms'] if p_ref else None, 3)} vs "
         f"{fmt(k_ref['sip_ms'] if k_ref else None, 3)} ms at {ref}/s)", ok(sip_ratio, 1.5))
    goal("Whole platform CPU per call", "≤ 3 ms", f"{fmt(platform_ms, 3)} ms at {ref}/s", ok(platform_ms, 3.0))
    goal("403 path CPU per refused call vs Kamailio", "≤ 1.0×",
         f"{fmt(refused_ratio)}× ({fmt(refused['psip']['sip_ms'] if refused['psip'] else None, 3)} vs "
         f"{fmt(refused['kamailio']['sip_ms'] if refused['kamailio'] else None, 3)} ms)", ok(refused_ratio, 1.0))
    k_all_clean = all(table[("kamailio", r)] and table[("kamailio", r)]["clean"] for r in rates) if rates else False
    need = 800 if k_all_clean else (mc["kamailio"] or 0)
    if k_all_clean and rates and max(rates) < 800:
        need = max(rates)
    mc_met = None if not rates else (mc["psip"] is not None and mc["psip"] >= need)
    def rate_txt(r):
        return f"{r}/s" if r is not None else "none clean"
    goal("Max clean rate", f"≥ Kamailio's ({rate_txt(mc['kamailio'])})" if not k_all_clean else
         (f"Kamailio clean at every rate tried: ≥ 800/s" if need == 800 else
          f"Kamailio clean at every rate tried: ≥ the highest rate tried, {need}/s (below 800/s)"),
         f"psip {rate_txt(mc['psip'])}, Kamailio {rate_txt(mc['kamailio'])} (highest rate tried "
         f"{str(max(rates)) + '/s' if rates else 'n/a'})", mc_met)
    l180 = lat("psip", 200, "r180")
    goal("INVITE→180 p99 at 200 calls/s", "≤ 25 ms",
         f"{fmt(pct(l180, 99), 1)} ms ({len(l180)} calls)" if l180 else "not measured", ok(pct(l180, 99), 25.0) if l180 else None)
    goal("Provisioning change → routable in us, eu, ap, p99", "≤ 100 ms",
         f"{fmt(pct(prop_all, 99), 1)} ms ({len(prop_all)} samples)" if prop_all else "not measured",
         ok(pct(prop_all, 99), 100.0) if prop_all else None)
    if idle:
        svc = [s for s in PLATFORM if s in idle["cpu_ms"] and s != "launcher"]
        rates_idle = {s: idle["cpu_ms"][s] / idle["window_s"] for s in svc}
        worst = max(rates_idle, key=rates_idle.get) if rates_idle else None
        goal("Idle CPU per service", "≤ 3 ms/s",
             f"worst {worst} {fmt(rates_idle[worst], 2)} ms/s" if worst else "n/a",
             all(v <= 3.0 for v in rates_idle.values()) if rates_idle else None)
        rss_svc = {s: idle["rss_mb"].get(s, 0.0) for s in svc}
        worst_rss = max(rss_svc, key=rss_svc.get) if rss_svc else None
        goal("Idle RSS per service", "≤ 300 MB",
             f"worst {worst_rss} {fmt(rss_svc[worst_rss], 0)} MB" if worst_rss else "n/a",
             all(v <= 300 for v in rss_svc.values()) if rss_svc else None)
    else:
        goal("Idle CPU per service", "≤ 3 ms/s", "not measured", None)
        goal("Idle RSS per service", "≤ 300 MB", "not measured", None)
    for s in startups:
        secs = startup_seconds(s)
        goal(f"`bin/psip-local` ready ({s['label']})", "≤ 40 s",
             (f"{fmt(secs, 1)} s" + (f" (launcher's figure; the wall time {fmt(s['seconds'], 1)} s included a build)"
                                     if s.get("built") else "")) if s.get("ready") else "not ready",
             ok(secs, 40.0) if s.get("ready") else False)
    for o in overload:
        goal(f"Overload {o['rate']}/s offered ({o['why']}): admitted calls that failed", "0, excess gets 503",
             f"admitted {o['calls'] - o['shed_503']}, failed {o['failed_total']}, 503 {o['shed_503']}",
             o["failed_total"] == 0)
    if not overload:
        goal("Overload at 2× max clean rate and 1000/s: admitted calls that failed", "0, excess gets 503",
             "not measured", None)
    elif not any(o["why"].startswith("2x") for o in overload):
        goal("Overload at 2× max clean rate: admitted calls that failed", "0, excess gets 503",
             "not run: psip had no clean rate", None)
    w("")

    # ------------------------------------------------------------------ per rate
    w("## Golden-path calls per rate")
    w("")
    w("Sums over the repetitions. *Completed* = calls with 200, ACK, BYE, 200; *503* = shed by overload "
      "protection (ACKed, not a failure); *failed* = any other outcome, including calls unfinished at sipp's "
      "timeout; *retrans* = retransmissions sent by the caller + by the far end, per 100 calls. CPU in ms per "
      "completed call: *SIP* = routing-eu JVM / all Kamailio processes; *platform* = every psip process; "
      "*net of idle* = platform minus its idle CPU rate (measured at the end) over the run's window; "
      "*customer* = the answer_url/event_url server (not the platform).")
    w("")
    w("| Rate /s | Target | Runs | Offered | Completed | Completed /s | Failed | 503 | Retrans % | "
      "SIP ms/call | Platform ms/call | Net of idle | Customer ms/call | SIP psip/Kamailio | Clean |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rates:
        k = table.get(("kamailio", r))
        for t in targets:
            a = table.get((t, r))
            if not a:
                continue
            rr = ratio(a["sip_ms"], k["sip_ms"]) if (t == "psip" and k) else None
            w(f"| {r} | {t} | {a['runs']} | {a['calls']} | {a['completed']} | {fmt(a['completed_per_s'], 1)} | "
              f"{a['failed_total']} | {a['shed_503']} | {fmt(a['retrans_pct'])} | {fmt(a['sip_ms'], 3)} | "
              f"{fmt(a['platform_ms'], 3) if t == 'psip' else '–'} | "
              f"{fmt(a['platform_net_ms'], 3) if t == 'psip' else '–'} | "
              f"{fmt(a['answer_ms'], 3) if t == 'psip' else '–'} | {fmt(rr) + '×' if rr is not None else ''} | "
              f"{'yes' if a['clean'] else 'no'} |")
    w("")
    w(f"Max clean rate (0 failed, < 1 % retransmissions, for psip also 0 × 503): psip **{rate_txt(mc['psip'])}**, "
      f"Kamailio **{rate_txt(mc['kamailio'])}**.")
    w("")

    # per-repetition detail: shows the spread between interleaved runs
    w("<details><summary>Every run, in the order run</summary>")
    w("")
    w("| # | Kind | Rate /s | Target | Rep | Settle s | Offered | Completed | Failed | 503 | Retrans (caller+far end) | "
      "SIP ms/call | Platform ms/call | routing-eu counters (shed reasons, rejections) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(x for x in recs if x["kind"] in ("calls", "refused", "overload", "warmup")):
        denom = "successful" if r["kind"] == "refused" else "completed"
        w(f"| {i + 1} | {r['kind']} | {r['rate']} | {r['target']} | {r['rep']} | {fmt(r.get('settle_s'), 1)} | {r['calls']} | "
          f"{r['successful'] if r['kind'] == 'refused' else r['completed']} | {r['failed_total']} | "
          f"{r['shed_503']} | {r['retrans']}+{r['uas_retrans']} | {fmt(per_call(r, sip_group(r['target']), denom), 3)} | "
          f"{fmt(per_call(r, 'platform', denom), 3) if r['target'] == 'psip' else '–'} | "
          f"{', '.join(f'{k} {v}' for k, v in sorted(r.get('routing_counters', {}).items())) or '–'} |")
    w("")
    w("</details>")
    w("")

    # ------------------------------------------------------------------ latency
    w("## Latency")
    w("")
    w("From the caller's INVITE to the first 180 and to the 200 (sipp `rtd` timers: whole ms, in practice steps "
      "of a few ms from sipp's event loop), all repetitions pooled. Calls shed with 503 have no 180/200 and are "
      "not in these figures.")
    w("")
    w("| Rate /s | Target | Calls | INVITE→180 p50 | p99 | max | INVITE→200 p50 | p99 | max |")
    w("|---|---|---|---|---|---|---|---|---|")
    for r in (50, 200):
        for t in targets:
            a180, a200 = lat(t, r, "r180"), lat(t, r, "r200")
            if not a200 and not a180:
                continue
            w(f"| {r} | {t} | {len(a200)} | {fmt(pct(a180, 50), 1)} | {fmt(pct(a180, 99), 1)} | "
              f"{fmt(max(a180) if a180 else None, 1)} | {fmt(pct(a200, 50), 1)} | {fmt(pct(a200, 99), 1)} | "
              f"{fmt(max(a200) if a200 else None, 1)} |")
    w("")

    # ------------------------------------------------------------------ 403
    w("## 403 path (caller outside the ACL)")
    w("")
    w(f"INVITEs from 127.0.0.2 at {meta.get('refused_rate')} calls/s; each must get 403 (then ACK).")
    w("")
    w("| Target | Offered | Refused with 403 | Failed | SIP ms per refused call | Platform ms per refused call |")
    w("|---|---|---|---|---|---|")
    for t in targets:
        a = refused[t]
        if a:
            w(f"| {t} | {a['calls']} | {a['successful']} | {a['failed_total']} | {fmt(a['sip_ms'], 3)} | "
              f"{fmt(a['platform_ms'], 3) if t == 'psip' else '–'} |")
    w("")
    w(f"psip/Kamailio CPU per refused call: **{fmt(refused_ratio)}×**.")
    w("")

    # ------------------------------------------------------------------ overload
    w("## Overload")
    w("")
    if overload:
        w("psip alone, offered more than its max clean rate. Admitted = offered − 503.")
        w("")
        w("| Offered /s | Why | Offered | Admitted | Admitted and completed | Admitted and failed | 503 | SIP ms/call |")
        w("|---|---|---|---|---|---|---|---|")
        for o in overload:
            w(f"| {o['rate']} | {o['why']} | {o['calls']} | {o['calls'] - o['shed_503']} | {o['completed']} | "
              f"{o['failed_total']} | {o['shed_503']} | {fmt(per_call(o, 'routing-eu'), 3)} |")
    else:
        w("Not measured.")
    w("")

    # ------------------------------------------------------------------ propagation
    w("## Provisioning change → routable in every region")
    w("")
    if prop_all:
        per_region = {}
        for s in prop["samples"]:
            for reg, v in s["regions_ms"].items():
                per_region.setdefault(reg, []).append(v)
        api_ms = [s["api_ms"] for s in prop["samples"]]
        w(f"{len(prop_all)} ACL changes (PUT `/v1/psip/{{name}}`), each timed from sending the request until "
          f"`GET /v1/tables/domains/{{name}}` on routing us, eu and ap shows the new ACL (polled about every 1 ms); "
          f"{prop['failures']} failed or timed out (10 s).")
        w("")
        w("| Measure | p50 ms | p99 ms | max ms |")
        w("|---|---|---|---|")
        w(f"| All three regions | {fmt(pct(prop_all, 50), 1)} | {fmt(pct(prop_all, 99), 1)} | {fmt(max(prop_all), 1)} |")
        for reg in sorted(per_region):
            v = per_region[reg]
            w(f"| routing-{reg} | {fmt(pct(v, 50), 1)} | {fmt(pct(v, 99), 1)} | {fmt(max(v), 1)} |")
        w(f"| The API's response | {fmt(pct(api_ms, 50), 1)} | {fmt(pct(api_ms, 99), 1)} | {fmt(max(api_ms), 1)} |")
    else:
        w("Not measured.")
    w("")

    # ------------------------------------------------------------------ idle
    w("## Idle CPU and memory")
    w("")
    if idle:
        w(f"No traffic for {fmt(idle['window_s'], 0)} s, 10 s after the last load run (the goals use this one), and "
          f"the same before the first call, after start-up and provisioning. CPU from /proc utime+stime (and reaped "
          f"children); RSS is VmRSS summed over the service's processes (PostgreSQL's processes share memory, so "
          f"its sum overstates); memory as at the end of the window.")
        w("")
        w("| Process | Idle CPU ms/s after load | RSS MB | PSS MB | Idle CPU ms/s before load | RSS MB before |")
        w("|---|---|---|---|---|---|")
        pss_mb = idle.get("pss_mb", {})
        b = idle_before or {"cpu_ms": {}, "rss_mb": {}, "window_s": 1.0}

        def before_cpu(s):
            return b["cpu_ms"][s] / b["window_s"] if s in b["cpu_ms"] else None
        for s in PLATFORM + ["kamailio", "answer-server", "far-end"]:
            if s in idle["cpu_ms"]:
                w(f"| {s} | {fmt(idle['cpu_ms'][s] / idle['window_s'], 2)} | {fmt(idle['rss_mb'].get(s, 0.0), 0)} | "
                  f"{fmt(pss_mb.get(s), 0)} | {fmt(before_cpu(s), 2)} | {fmt(b['rss_mb'].get(s), 0)} |")
        w(f"| **psip platform, total** | {fmt(idle['cpu_ms']['platform'] / idle['window_s'], 2)} | "
          f"{fmt(sum(idle['rss_mb'].get(s, 0.0) for s in PLATFORM), 0)} | "
          f"{fmt(sum(pss_mb.get(s, 0.0) for s in PLATFORM), 0)} | {fmt(before_cpu('platform'), 2)} | "
          f"{fmt(sum(b['rss_mb'].get(s, 0.0) for s in PLATFORM), 0)} |")
        w("")
        w("PSS (proportional set size) shares each shared page among the processes mapping it; it is the fairer "
          "figure for PostgreSQL's processes and for Kamailio's shared memory.")
    else:
        w("Not measured.")
    w("")

    # ------------------------------------------------------------------ startup
    w("## Start-up")
    w("")
    if startups:
        w("| Start | Seconds to `psip local platform ready` | Launcher's own figure |")
        w("|---|---|---|")
        for s in startups:
            w(f"| {s['label']} | {fmt(s['seconds'], 1) if s.get('ready') else 'not ready'}"
              f"{' (included a build)' if s.get('built') else ''} | {s.get('launcher_says', '')} |")
    else:
        w("Not measured.")
    w("")

    # ------------------------------------------------------------------ method
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "method.md")) as f:
        w(f.read().rstrip())
    w("")

    text = "\n".join(L) + "\n"
    with open(out_path, "w") as f:
        f.write(text)
    sys.stdout.write(text)


def startup_seconds(s):
    """Wall time to the ready line; when bin/psip-local built first, the launcher's own 'started in' figure."""
    if s.get("built") and s.get("launcher_says"):
        try:
            return float(s["launcher_says"].split()[2])
        except (IndexError, ValueError):
            pass
    return s["seconds"]


def cmd_startup(results, label, seconds, ready, built, launcher_says):
    rec = {"kind": "startup", "label": label, "seconds": float(seconds), "ready": ready == "1",
           "built": built == "1", "launcher_says": launcher_says}
    with open(results, "a") as f:
        f.write(json.dumps(rec) + "\n")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "scrape":
        cmd_scrape(*args)
    elif cmd == "settle":
        cmd_settle(*args)
    elif cmd == "snap":
        cmd_snap(*args)
    elif cmd == "uas-before":
        cmd_uas_before(*args)
    elif cmd == "record":
        cmd_record(*args)
    elif cmd == "idle":
        cmd_idle(*args)
    elif cmd == "provision":
        cmd_provision(*args)
    elif cmd == "propagation":
        cmd_propagation(*args)
    elif cmd == "startup":
        cmd_startup(*args)
    elif cmd == "report":
        cmd_report(*args)
    else:
        sys.exit(f"unknown command {cmd}\n{__doc__}")


if __name__ == "__main__":
    main(sys.argv)
