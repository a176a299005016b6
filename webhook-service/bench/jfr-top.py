#!/usr/bin/env python3
"""Aggregates jdk.ExecutionSample stacks of a JFR recording: top self frames and top inclusive frames.
Usage: jfr-top.py recording.jfr [from-iso to-iso]  (the window the bench printed for the measured load)."""
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

recording = sys.argv[1]
window = [datetime.fromisoformat(t.replace('Z', '+00:00')) for t in sys.argv[2:4]]
text = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '96', recording],
                      capture_output=True, text=True, check=True).stdout
self_frames, inclusive, threads = Counter(), Counter(), Counter()
samples = 0
for event in text.split('jdk.ExecutionSample')[1:]:
    start = re.search(r'startTime = (\S+)', event)
    if window and start:
        # jfr prints local wall time like 20:49:31.123 (UTC on this machine); compare time of day only
        t = datetime.strptime(start.group(1)[:12], '%H:%M:%S.%f').time()
        if not (window[0].time() <= t <= window[1].time()):
            continue
    thread = re.search(r'sampledThread = "([^"]*)"', event)
    frames = re.findall(r'^\s+([\w$.<>]+)\(', event, re.M)
    if not frames:
        continue
    samples += 1
    threads[re.sub(r'\d+', 'N', thread.group(1)) if thread else '?'] += 1
    self_frames[frames[0]] += 1
    for frame in set(frames):
        inclusive[frame] += 1
print(f'{samples} samples')
print('\nby thread:')
for name, n in threads.most_common(15):
    print(f'{n:6d} {100.0 * n / samples:5.1f}%  {name}')
print('\ntop self frames:')
for name, n in self_frames.most_common(30):
    print(f'{n:6d} {100.0 * n / samples:5.1f}%  {name}')
print('\ntop inclusive frames (io.psip, logging, kafka, spring, http, jackson, avro):')
interesting = re.compile(r'io\.psip|ch\.qos\.logback|org\.slf4j|org\.apache\.kafka\.clients\.(producer|consumer)\.Kafka'
                         r'|springframework\.(kafka\.listener|cloud\.stream|messaging|integration)'
                         r'|jdk\.internal\.net\.http\.(HttpClientImpl|MultiExchange)|tools\.jackson|org\.apache\.avro'
                         r'|CompletableFuture\.(postComplete|uniCompose)|io\.micrometer')
for name, n in [(f, c) for f, c in inclusive.most_common(400) if interesting.search(f)][:45]:
    print(f'{n:6d} {100.0 * n / samples:5.1f}%  {name}')
