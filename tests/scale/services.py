"""The shared services of the production profile, started from Debian's packages as processes of
the test's own on loopback (ports 56xx), with their data in one temporary directory: PostgreSQL
(tracker store), Redis (lock store) and nginx (load balancer)."""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

PG_PORT, REDIS_PORT, NGINX_PORT, NGINX_SINGLE_PORT = 5632, 5679, 5600, 5690
DB_NAME, DB_USER = "kp_tracker", "kp_assistant"


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on port {port}"
            time.sleep(0.2)


def assert_port_free(port: int) -> None:
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} is already in use"


class Services:
    def __init__(self) -> None:
        # Not pytest's tmp_path: PostgreSQL and nginx's workers run as other users, who must reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="kp-scale-"))
        self.dir.chmod(0o755)
        self.db_password, self.redis_password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
        # One socket.io session-token key for every server (docs/deployment.md): any server continues any
        # conversation, and an agent's pass from the web server opens the desk on any of them.
        self.session_key = secrets.token_urlsafe(48)
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.pg_bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]).parent
        self.pg_data = self.dir / "pg"

    def env(self) -> dict[str, str]:
        """What each Rasa server of the production profile is given (docs/deployment.md)."""
        return {
            "SERVE_ENDPOINTS": "deploy/endpoints.production.yml",
            "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_PORT": str(PG_PORT),
            "TRACKER_DB_NAME": DB_NAME,
            "TRACKER_DB_USER": DB_USER,
            "TRACKER_DB_PASSWORD": self.db_password,
            "LOCK_STORE_HOST": "127.0.0.1",
            "LOCK_STORE_PORT": str(REDIS_PORT),
            "LOCK_STORE_PASSWORD": self.redis_password,
            "LOCK_STORE_DB": "1",
            "SQL_POOL_SIZE": "10",
            "SQL_MAX_OVERFLOW": "20",
            "TICKET_LOCK_LIFETIME": "30",
            "SESSION_TOKEN_KEY": self.session_key,
            "HANDOFF_GRACE_SECONDS": "3",
        }

    # PostgreSQL -------------------------------------------------------------------------------
    def _as_postgres(self, *command: str) -> None:
        # initdb and the server refuse to run as root: use the package's postgres user then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + list(command), check=True, stdout=subprocess.DEVNULL, cwd=self.dir)

    def init_postgres(self) -> None:
        self.pg_data.mkdir()
        password_file = self.dir / "pg-password"
        password_file.write_text(self.db_password)
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            for path in (self.pg_data, password_file):
                os.chown(path, postgres.pw_uid, postgres.pw_gid)
        self._as_postgres(
            str(self.pg_bin / "initdb"),
            "-D",
            str(self.pg_data),
            "-U",
            DB_USER,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
        )
        password_file.unlink()
        self.start_postgres()
        # Rasa creates the tables, not the database (an operator's one-time step, see docs/deployment.md).
        connection = psycopg2.connect(**self._pg_login("postgres"))
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
            connection.cursor().execute(f"CREATE DATABASE {DB_NAME}")
        finally:
            connection.close()

    def start_postgres(self) -> None:
        assert_port_free(PG_PORT)
        options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.pg_data}"
        self._as_postgres(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.pg_data),
            "-l",
            str(self.pg_data / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop_postgres(self) -> None:
        if (self.pg_data / "postmaster.pid").exists():
            self._as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-m", "fast", "-w", "stop")

    def _pg_login(self, db: str = DB_NAME) -> dict:
        return dict(host="127.0.0.1", port=PG_PORT, dbname=db, user=DB_USER, password=self.db_password)

    def events(self, sender: str) -> list[dict]:
        """A conversation's events as stored in PostgreSQL, in the order they were written."""
        connection = psycopg2.connect(**self._pg_login())
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
                return [json.loads(row[0]) for row in cursor.fetchall()]
        finally:
            connection.close()

    # Redis ------------------------------------------------------------------------------------
    def start_redis(self) -> None:
        assert_port_free(REDIS_PORT)
        log = (self.dir / "redis.log").open("a")
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--requirepass",
                self.redis_password,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(REDIS_PORT)

    def stop_redis(self) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=30)

    # nginx ------------------------------------------------------------------------------------
    def start_nginx(self, rasa_ports: list[int]) -> None:
        for port in (NGINX_PORT, NGINX_SINGLE_PORT):
            assert_port_free(port)
        conf = self.dir / "nginx.conf"
        conf.write_text(nginx_conf(self.dir, rasa_ports))
        command = ["nginx", "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "nginx-error.log")]
        self.nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for_port(NGINX_PORT)

    def stop_nginx(self) -> None:
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: the workers finish, then the master exits
            self.nginx.wait(timeout=30)

    def stop_all(self) -> None:
        for stop in (self.stop_nginx, self.stop_redis, self.stop_postgres):
            try:
                stop()
            except Exception as err:  # stop the rest whatever happened to one
                print(f"stopping failed: {err}")
        shutil.rmtree(self.dir, ignore_errors=True)


# Rate limit per client address at the balancer (docs/deployment.md and docs/security.md): 5 requests a second
# with bursts of 30 served at once (as the Rasa servers' RATE_LIMIT_ADDRESS), beyond that 429 at once,
# in the assistant's own words. The machine's own address is not limited here (health checks, operators'
# tools, as the servers do); the servers behind limit each conversation, and each client again by the
# address nginx passes on (X-Forwarded-For: set, not appended to, so a client cannot choose its own).
RATE_LIMIT = """\
  map $remote_addr $rate_limited_client { 127.0.0.1 ""; ::1 ""; default $binary_remote_addr; }
  limit_req_zone $rate_limited_client zone=per_client:10m rate=5r/s;
  limit_req zone=per_client burst=30 nodelay;
  limit_req_status 429;
  error_page 429 = @too_many;
  proxy_set_header X-Forwarded-For $remote_addr;"""
TOO_MANY_REPLY = (
    "{ default_type application/json; add_header Retry-After 1 always; return 429 "
    """'[{"recipient_id": "", "text": "Too many messages at once: please wait a moment, then send your question """
    """again."}]'; }"""
)


def nginx_conf(prefix: Path, rasa_ports: list[int]) -> str:
    """The load balancer of docs/deployment.md: every Rasa server behind port 5600;
    port 5690 sends everything to the first server only (the 1-server throughput baseline)."""
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in rasa_ports)
    return f"""daemon off;
pid {prefix}/nginx.pid;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/nginx-body;
  proxy_temp_path {prefix}/nginx-proxy;
  fastcgi_temp_path {prefix}/nginx-fastcgi;
  uwsgi_temp_path {prefix}/nginx-uwsgi;
  scgi_temp_path {prefix}/nginx-scgi;
{RATE_LIMIT}
  upstream rasa_servers {{
{servers}
  }}
  upstream rasa_single {{
    server 127.0.0.1:{rasa_ports[0]};
  }}
  # socket.io's long-polling transport sends each request of one connection separately: they must all
  # reach the server holding the connection (sticky by client address); websockets stay where they
  # opened anyway. Messages and the live handoff cross servers through Redis (stores/handoff_board.py).
  upstream rasa_sticky {{
    hash $remote_addr consistent;
{servers}
  }}
  proxy_http_version 1.1;
  proxy_set_header Host $host;
  # The same id for every try of one request: a message without a message_id of its own is still
  # handled once when it is sent again (channels/rest.py).
  proxy_set_header X-Request-ID $request_id;
  # Longer than Rasa's lock lifetime: a message may wait for its conversation's earlier one.
  proxy_read_timeout 120s;
  # A server that is down, or dies with a message (refused, reset, 502), is skipped and the message
  # sent to the next: POSTs too (non_idempotent), since every message has an id and a repeat gets the
  # stored reply instead of being handled twice (rasa_server/patches.py).
  proxy_next_upstream error timeout http_502 non_idempotent;
  server {{
    listen 127.0.0.1:{NGINX_PORT};
    location @too_many {TOO_MANY_REPLY}
    location / {{ proxy_pass http://rasa_servers; }}
    location /socket.io/ {{
      proxy_pass http://rasa_sticky;
      # A location's own proxy_set_header replaces all inherited ones: the http block's are repeated.
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_next_upstream off;
    }}
  }}
  server {{
    listen 127.0.0.1:{NGINX_SINGLE_PORT};
    location @too_many {TOO_MANY_REPLY}
    location / {{ proxy_pass http://rasa_single; }}
  }}
}}
"""
