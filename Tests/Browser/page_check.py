#!/usr/bin/env python3
"""Checks Visage's web page in a real browser.

Drives headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe, so no
package beyond Python's standard library): opens the page of a running `visage serve`, types
the API key, uploads a photo through the page's file input, waits for the faces to be drawn,
enrols the first face under a name, identifies, asks a question in the Ask box, compares the
photo with a second one with the explanation shown, and saves a screenshot. Prints one JSON line
with what the page shows; exits 0 when the page shows `--expect-faces` faces, 1 otherwise.

    python3 Tests/Browser/page_check.py --url http://127.0.0.1:8080/ --key KEY \
        --photo ~/.cache/visage/samples/t1.jpg --expect-faces 6 --screenshot docs/service-page.png
"""
import argparse
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Chromium:
    def __init__(self, binary, width, height):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def wire_pipes():  # Chromium reads commands on fd 3 and writes answers on fd 4
            # Through fds above 4 first: a pipe may already be fd 3 or 4, and dup2 onto itself
            # would leave it close-on-exec.
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.profile = tempfile.mkdtemp(prefix="visage-chromium-")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            preexec_fn=wire_pipes, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def send(self, method, params=None, session=True, timeout=60):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = self.read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise TimeoutError(method)

    def read_message(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def attach(self):
        targets = self.send("Target.getTargets", session=False)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, session=False)["sessionId"]

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise TimeoutError(f"waited {timeout} s for {expression}")

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--photo", required=True)
    parser.add_argument("--key", default="")
    parser.add_argument("--expect-faces", type=int, default=None)
    parser.add_argument("--enrol-name", default="Guest One", help="name given to the first face (empty: no enrolment)")
    parser.add_argument("--question", default="", help="typed into the Ask box (empty: not asked)")
    parser.add_argument("--compare", default="", help="a second photo compared with --photo, explanation included (empty: skipped)")
    parser.add_argument("--screenshot", default=None)
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()

    browser = Chromium(args.chromium, args.width, args.height)
    report = {}
    try:
        browser.attach()
        browser.send("Page.enable")
        browser.send("Emulation.setDeviceMetricsOverride", {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False})
        browser.send("Page.navigate", {"url": args.url})
        browser.wait_for("document.readyState === 'complete' && !!document.getElementById('file')")
        browser.evaluate(f"(() => {{ const k = document.getElementById('key'); k.value = {json.dumps(args.key)}; "
                         "k.dispatchEvent(new Event('change')); return true; })()")
        root = browser.send("DOM.getDocument")["root"]["nodeId"]
        node = browser.send("DOM.querySelector", {"nodeId": root, "selector": "#file"})["nodeId"]
        browser.send("DOM.setFileInputFiles", {"nodeId": node, "files": [os.path.abspath(args.photo)]})
        browser.wait_for("document.getElementById('faces-summary').dataset.count !== '' || document.getElementById('error').textContent !== ''")
        report["faces"] = int(browser.evaluate("document.getElementById('faces-summary').dataset.count || '-1'"))
        report["rows"] = browser.evaluate("document.querySelectorAll('#faces tr.face').length")
        report["error"] = browser.evaluate("document.getElementById('error').textContent")
        report["canvas"] = browser.evaluate("(() => { const c = document.getElementById('canvas'); return [c.width, c.height]; })()")
        if args.enrol_name and report["faces"] > 0:
            browser.evaluate(f"(() => {{ const row = document.querySelector('#faces tr.face'); row.querySelector('input').value = {json.dumps(args.enrol_name)}; "
                             "row.querySelector('button').click(); return true; })()")
            browser.wait_for(f"[...document.querySelectorAll('#people tr.person')].some(r => r.textContent.includes({json.dumps(args.enrol_name)})) "
                             "|| document.getElementById('error').textContent !== ''")
            browser.evaluate("document.getElementById('identify').click()")
            browser.wait_for("document.getElementById('status').textContent.includes('identified') || document.getElementById('error').textContent !== ''")
            report["people"] = browser.evaluate("[...document.querySelectorAll('#people tr.person td:nth-child(2)')].map(td => td.textContent)")
            report["identities"] = browser.evaluate("[...document.querySelectorAll('#faces tr.face td:nth-child(8)')].map(td => td.textContent)")
            report["error"] = browser.evaluate("document.getElementById('error').textContent")
        if args.question and report["faces"] > 0:
            browser.evaluate(f"(() => {{ const q = document.getElementById('question'); q.value = {json.dumps(args.question)}; "
                             "document.getElementById('ask').click(); return true; })()")
            browser.wait_for("(() => { const t = document.getElementById('answer').textContent; return (t !== '' && t !== '…') "
                             "|| document.getElementById('error').textContent !== ''; })()")
            report["answer"] = browser.evaluate("document.getElementById('answer').textContent")
            report["answer_value"] = browser.evaluate("document.getElementById('answer').dataset.value || null")
            report["error"] = browser.evaluate("document.getElementById('error').textContent")
        if args.compare:
            for selector, path in (("#verify-a", args.photo), ("#verify-b", args.compare)):
                node = browser.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
                browser.send("DOM.setFileInputFiles", {"nodeId": node, "files": [os.path.abspath(path)]})
            browser.wait_for("!document.getElementById('verify').disabled")
            browser.evaluate("document.getElementById('verify').click()")
            browser.wait_for("(() => { const img = document.getElementById('explanation'); return (!img.hidden && img.complete && img.naturalWidth > 0) "
                             "|| document.getElementById('error').textContent !== ''; })()")
            report["verdict"] = browser.evaluate("document.getElementById('verdict').textContent")
            report["explanation_size"] = browser.evaluate("(() => { const img = document.getElementById('explanation'); return [img.naturalWidth, img.naturalHeight]; })()")
            report["error"] = browser.evaluate("document.getElementById('error').textContent")
        if args.screenshot:
            metrics = browser.send("Page.getLayoutMetrics")
            height = int(min(4000, max(args.height, metrics["cssContentSize"]["height"])))
            browser.send("Emulation.setDeviceMetricsOverride", {"width": args.width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            time.sleep(0.3)
            shot = browser.send("Page.captureScreenshot", {"format": "png"})
            os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            report["screenshot"] = args.screenshot
    except Exception as error:  # reported, then the exit code says it failed
        report["failure"] = f"{type(error).__name__}: {error}"
    finally:
        browser.close()
    print(json.dumps(report))
    ok = "failure" not in report and not report.get("error")
    if args.expect_faces is not None:
        ok = ok and report.get("faces") == args.expect_faces and report.get("rows") == args.expect_faces
    if args.enrol_name and ok:
        ok = args.enrol_name in (report.get("people") or []) and any(args.enrol_name in i for i in report.get("identities") or [])
    if args.question and ok:
        ok = bool(report.get("answer"))
    if args.compare and ok:
        ok = "similarity" in (report.get("verdict") or "") and (report.get("explanation_size") or [0])[0] > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
