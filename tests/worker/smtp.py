"""A small SMTP server for tests: records what it accepted, and can answer with an error or
not answer at all at a chosen step (to kill a worker right there)."""

from __future__ import annotations

import email
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Behaviour:
    # Codes to answer the end of DATA with, one per message in turn; 250 when used up.
    data_replies: list[int] = field(default_factory=list)
    # "data": take the message but never answer it; "quit": accept it, then hang on QUIT.
    hang_at: str = ""


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def send(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self):
        server: SmtpServer = self.server.owner
        self.send("220 test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.send("250 test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.send("250 ok")
            elif command == "DATA":
                self.send("354 go ahead")
                raw = self._read_message()
                server.touched.set()
                if server.behaviour.hang_at == "data":
                    server.hanging.set()
                    server.release.wait()
                    return
                code = server.behaviour.data_replies.pop(0) if server.behaviour.data_replies else 250
                if code == 250:
                    with server.lock:
                        server.accepted.append(email.message_from_bytes(raw))
                    self.send("250 queued")
                else:
                    self.send(f"{code} try later" if code < 500 else f"{code} no such user")
            elif command == "QUIT":
                if server.behaviour.hang_at == "quit":
                    server.hanging.set()
                    server.release.wait()
                    return
                self.send("221 bye")
                return
            else:
                self.send("502 not implemented")

    def _read_message(self) -> bytes:
        lines = []
        while True:
            line = self.rfile.readline()
            if not line or line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpServer:
    def __init__(self, behaviour: Behaviour | None = None):
        self.behaviour = behaviour or Behaviour()
        self.accepted: list[email.message.Message] = []
        self.lock = threading.Lock()
        self.touched = threading.Event()  # a message reached the end of DATA
        self.hanging = threading.Event()  # the server is holding a client at the chosen step
        self.release = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]

    def __enter__(self) -> SmtpServer:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.accepted]
