#!/usr/bin/env python3
"""The few GitHub REST endpoints the action's pull-request comment uses, on 127.0.0.1.

  GET   /repos/OWNER/NAME/issues/N/comments?per_page=&page=   list, paginated as GitHub does
  POST  /repos/OWNER/NAME/issues/N/comments                   create (201)
  PATCH /repos/OWNER/NAME/issues/comments/ID                  update (200)

Every request must carry `Authorization: Bearer TOKEN` (else 401). Writes to a pull request
named by --read-only answer 403 as GitHub does for a fork's read-only token; a body over
65,536 characters answers 422. --seed N:COUNT starts pull request N with COUNT comments by
other users, the first of them a look-alike holding the marker of the action's comment on
the gates secrets, env and budget in pr-site. For the test:
GET /_state returns every comment, GET /_log every request (method, path, authorization
seen, body); GET /_stale/ID keeps comment ID in the list but answers 404 to its update, as
for a comment deleted between the two. Standard library only; writes its port to --port-file; stops on SIGTERM.
"""

import argparse
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MARKER = "<!-- launchgate-comment secrets,env,budget in=pr-site -->"
BOT = "github-actions[bot]"
MAX_REQUEST = 1024 * 1024

LIST = re.compile(r"^/repos/([\w.-]+/[\w.-]+)/issues/(\d+)/comments$")
UPDATE = re.compile(r"^/repos/([\w.-]+/[\w.-]+)/issues/comments/(\d+)$")


class State:
    def __init__(self, token, read_only):
        self.lock = threading.Lock()
        self.token = token
        self.read_only = set(read_only)
        self.comments = []  # dicts with id, issue, user, body
        self.log = []
        self.next_id = 1000
        self.stale = set()

    def add(self, issue, user, body):
        self.next_id += 1
        comment = {"id": self.next_id, "issue": issue, "user": user, "body": body}
        self.comments.append(comment)
        return comment


def public(comment, base):
    return {
        "id": comment["id"],
        "html_url": f"{base}/pull/{comment['issue']}#issuecomment-{comment['id']}",
        "user": {"login": comment["user"], "type": "Bot" if comment["user"] == BOT else "User"},
        "body": comment["body"],
    }


class Handler(BaseHTTPRequestHandler):
    state = None

    def log_message(self, *args):
        pass

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST:
            return None
        return self.rfile.read(length).decode("utf-8", "replace")

    def handle_any(self, method):
        state = self.state
        url = urlsplit(self.path)
        body = self.read_body() if method in ("POST", "PATCH") else ""
        if body is None:
            return self.reply(413, {"message": "request too large"})
        with state.lock:
            if url.path == "/_state":
                return self.reply(200, state.comments)
            if url.path == "/_log":
                return self.reply(200, state.log)
            if url.path.startswith("/_stale/"):
                # Listed still, but gone by the time it is updated: deleted in between.
                state.stale.add(int(url.path.rsplit("/", 1)[1]))
                return self.reply(200, {})
            state.log.append(
                {
                    "method": method,
                    "path": url.path,
                    "query": url.query,
                    "authorization": self.headers.get("Authorization", ""),
                    "body": body,
                }
            )
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                return self.reply(401, {"message": "Bad credentials"})
            listing = LIST.match(url.path)
            update = UPDATE.match(url.path)
            if listing and method == "GET":
                issue = int(listing.group(2))
                query = parse_qs(url.query)
                per_page = min(int(query.get("per_page", ["30"])[0]), 100)
                page = int(query.get("page", ["1"])[0])
                mine = [c for c in state.comments if c["issue"] == issue]
                chunk = mine[(page - 1) * per_page : page * per_page]
                base = f"https://github.com/{listing.group(1)}"
                return self.reply(200, [public(c, base) for c in chunk])
            if (listing and method == "POST") or (update and method == "PATCH"):
                repo = (listing or update).group(1)
                base = f"https://github.com/{repo}"
                if update:
                    found = [c for c in state.comments if c["id"] == int(update.group(2))]
                    if not found or found[0]["id"] in state.stale:
                        return self.reply(404, {"message": "Not Found"})
                    comment = found[0]
                    issue = comment["issue"]
                else:
                    issue = int(listing.group(2))
                if issue in state.read_only:
                    return self.reply(403, {"message": "Resource not accessible by integration"})
                try:
                    text = json.loads(body)["body"]
                except (ValueError, KeyError, TypeError):
                    return self.reply(400, {"message": "Problems parsing JSON"})
                if len(text) > 65536:
                    return self.reply(422, {"message": "Body is too long (maximum is 65536 characters)"})
                if update:
                    if comment["user"] != BOT:
                        return self.reply(403, {"message": "Resource not accessible by integration"})
                    comment["body"] = text
                    return self.reply(200, public(comment, base))
                return self.reply(201, public(state.add(issue, BOT, text), base))
            return self.reply(404, {"message": "Not Found"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--read-only", type=int, action="append", default=[])
    parser.add_argument("--seed", action="append", default=[], help="ISSUE:COUNT")
    args = parser.parse_args()
    state = State(args.token, args.read_only)
    for seed in args.seed:
        issue, count = (int(part) for part in seed.split(":"))
        state.add(issue, "mallory", MARKER + "\nA look-alike of the action's comment.")
        for n in range(1, count):
            state.add(issue, "octocat", f"Review note {n}.")
    Handler.state = state
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
