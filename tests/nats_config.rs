//! `nats/nats-server.conf` and `nats/streams.json` on a real nats-server.
//!
//! Starts `nats-server` with a copy of the cluster configuration (random ports, a temporary
//! JetStream directory, known passwords in the environment as in Kubernetes), then connects as
//! each role and shows what the permissions allow and refuse: the api creates the stream from
//! `nats/streams.json` and follows it as the websocket feed does; the scheduler and the
//! collector publish events; the scheduler answers `causeway.rpc.*` only in its queue group;
//! the read-only `subscriber` receives events live and from the stream but cannot publish
//! events, send commands or delete the stream.
//!
//! Needs `nats-server` (2.9+) on PATH, in /usr/sbin, or in `$NATS_SERVER`.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use async_nats::{
    ConnectOptions, Event, HeaderMap,
    jetstream::{
        self,
        consumer::{AckPolicy, DeliverPolicy, pull},
        stream,
    },
};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const WAIT: Duration = Duration::from_secs(10);

/// (NATS user, environment variable of its password, the password used here)
const USERS: [(&str, &str, &str); 4] = [
    ("api", "API_PASSWORD", "api-test-password"),
    ("scheduler", "SCHEDULER_PASSWORD", "scheduler-test-password"),
    ("collector", "COLLECTOR_PASSWORD", "collector-test-password"),
    ("subscriber", "SUBSCRIBER_PASSWORD", "subscriber-test-password"),
];

fn password(user: &str) -> &'static str {
    USERS.iter().find(|(u, _, _)| *u == user).map(|(_, _, p)| *p).expect("known user")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A nats-server child process, stopped (by its own PID) when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

fn nats_server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("NATS_SERVER") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file());
    on_path.unwrap_or_else(|| {
        panic!("nats-server not found: install it (Debian: apt-get install nats-server) or set $NATS_SERVER")
    })
}

/// `text` with `from` replaced by `to`, which must occur exactly once (so that a change of the
/// configuration's layout fails here instead of silently testing something else).
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "nats-server.conf should contain {from:?} exactly once");
    text.replacen(from, to, 1)
}

fn start_server() -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let conf = std::fs::read_to_string(root().join("nats/nats-server.conf")).expect("nats/nats-server.conf");
    let conf = replace_once(&conf, "\nport: 4222\n", "\nport: -1\n");
    let conf = replace_once(&conf, "\nhttp_port: 8222\n", "\nhttp_port: -1\n");
    let store = dir.path().join("store");
    let conf = replace_once(
        &conf,
        "store_dir: \"/data\"",
        &format!("store_dir: {:?}", store.to_str().expect("UTF-8 path")),
    );
    let conf_path = dir.path().join("nats-server.conf");
    std::fs::write(&conf_path, conf).expect("write test config");

    let binary = nats_server_binary();
    let mut command = Command::new(&binary);
    command.arg("-c").arg(&conf_path).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    for (_, var, value) in USERS {
        command.env(var, value);
    }
    let mut child = command.spawn().unwrap_or_else(|err| {
        panic!("cannot start {} ({err}): install nats-server or set $NATS_SERVER", binary.display())
    });
    let stderr = child.stderr.take().expect("stderr");

    // Read the log on a thread for the whole life of the server (a full pipe would block it).
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                // Nobody listens any more: keep draining.
                continue;
            }
        }
    });
    let mut server = Server { child, port: 0, _dir: dir };
    let mut log = Vec::new();
    loop {
        match lines.recv_timeout(WAIT) {
            Ok(line) => {
                if let Some((_, address)) = line.split_once("Listening for client connections on ") {
                    let port = address.trim().rsplit(':').next().and_then(|p| p.parse().ok());
                    server.port = port.expect("port in the listening line");
                }
                let ready = line.contains("Server is ready");
                log.push(line);
                if ready {
                    break;
                }
            }
            Err(err) => panic!("nats-server did not become ready ({err}); its log:\n{}", log.join("\n")),
        }
    }
    assert_ne!(server.port, 0, "no client port in the log:\n{}", log.join("\n"));
    server
}

/// A connection as `user` and the server errors it receives (permission violations arrive
/// asynchronously, as `-ERR` lines).
async fn connect(server: &Server, user: &str) -> (async_nats::Client, UnboundedReceiver<String>) {
    let (errors_tx, errors) = unbounded_channel();
    let options = ConnectOptions::with_user_and_password(user.into(), password(user).into())
        .name(format!("test-{user}"))
        .event_callback(move |event| {
            let errors_tx = errors_tx.clone();
            async move {
                if let Event::ServerError(err) = event {
                    let _ = errors_tx.send(err.to_string());
                }
            }
        });
    let client = tokio::time::timeout(WAIT, options.connect(server.url()))
        .await
        .unwrap_or_else(|_| panic!("connecting as {user} timed out"))
        .unwrap_or_else(|err| panic!("connecting as {user}: {err}"));
    (client, errors)
}

/// Waits for the server's permission violation about `subject`.
async fn expect_violation(errors: &mut UnboundedReceiver<String>, subject: &str) {
    let wanted = format!("\"{subject}\"");
    loop {
        let error = tokio::time::timeout(WAIT, errors.recv())
            .await
            .unwrap_or_else(|_| panic!("no permissions violation for {subject}: the server allowed it"))
            .expect("connection open");
        if error.to_lowercase().contains("permissions violation") && error.contains(&wanted) {
            return;
        }
    }
}

/// Returns once the server has processed everything `client` sent before (a flush only
/// writes to the socket): a request for the events stream's info, which every user may make.
async fn barrier(client: &async_nats::Client) {
    tokio::time::timeout(WAIT, jetstream::new(client.clone()).get_stream("CAUSEWAY_EVENTS"))
        .await
        .expect("round trip within the timeout")
        .expect("stream info");
}

async fn next_subject<S>(messages: &mut S, what: &str) -> String
where
    S: futures::Stream<Item = async_nats::Message> + Unpin,
{
    let message = tokio::time::timeout(WAIT, messages.next())
        .await
        .unwrap_or_else(|_| panic!("{what}: no message"))
        .expect("subscription open");
    message.subject.to_string()
}

async fn next_stream_message<S, E>(messages: &mut S, what: &str) -> jetstream::Message
where
    S: futures::Stream<Item = Result<jetstream::Message, E>> + Unpin,
    E: std::fmt::Debug,
{
    tokio::time::timeout(WAIT, messages.next())
        .await
        .unwrap_or_else(|_| panic!("{what}: no message"))
        .expect("consumer open")
        .unwrap_or_else(|err| panic!("{what}: {err:?}"))
}

fn events_stream_config() -> stream::Config {
    let text = std::fs::read_to_string(root().join("nats/streams.json")).expect("nats/streams.json");
    let mut streams: Vec<stream::Config> =
        serde_json::from_str(&text).expect("streams.json: a list of stream configs");
    assert_eq!(streams.len(), 1, "streams.json defines the events stream only");
    streams.remove(0)
}

#[test]
fn streams_json_defines_the_events_stream() {
    let config = events_stream_config();
    assert_eq!(config.name, "CAUSEWAY_EVENTS");
    assert_eq!(config.subjects, ["causeway.events.>"]);
    assert_eq!(config.retention, stream::RetentionPolicy::Limits);
    assert_eq!(config.max_age, Duration::from_secs(7 * 24 * 3600));
    assert_eq!(config.max_bytes, 1 << 30);
    assert_eq!(config.duplicate_window, Duration::from_secs(120));
    assert_eq!(config.storage, stream::StorageType::File);
    assert_eq!(config.discard, stream::DiscardPolicy::Old);
    // One source of truth: the file is exactly what the code creates.
    let code =
        causeway::events::bus::stream_config(&causeway::config::Config::for_database("postgres://x/y"));
    assert_eq!(config, code, "nats/streams.json and src/events/bus.rs::stream_config differ");
}

#[tokio::test]
async fn role_permissions_on_a_real_server() {
    let server = start_server();

    // A wrong password is refused.
    let refused = tokio::time::timeout(
        WAIT,
        ConnectOptions::with_user_and_password("api".into(), "wrong".into()).connect(server.url()),
    )
    .await
    .expect("refusal within the timeout");
    assert!(refused.is_err(), "connected with a wrong password");

    let (api, mut api_errors) = connect(&server, "api").await;
    let (scheduler, mut scheduler_errors) = connect(&server, "scheduler").await;
    let (collector, _collector_errors) = connect(&server, "collector").await;
    let (subscriber, mut subscriber_errors) = connect(&server, "subscriber").await;

    // The api creates the stream from streams.json (as every role's outbox relay does).
    let api_js = jetstream::new(api.clone());
    let mut events =
        api_js.get_or_create_stream(events_stream_config()).await.expect("api creates the stream");
    let info = events.info().await.expect("stream info");
    assert_eq!(info.config.max_age, Duration::from_secs(7 * 24 * 3600));
    assert_eq!(info.config.max_bytes, 1 << 30);
    assert_eq!(info.config.duplicate_window, Duration::from_secs(120));
    assert_eq!(info.config.storage, stream::StorageType::File);

    // The api's websocket feed: an ordered consumer of new events (src/api/ws.rs).
    let mut api_feed = events
        .create_consumer(pull::OrderedConfig {
            filter_subject: "causeway.events.>".into(),
            deliver_policy: DeliverPolicy::New,
            ..Default::default()
        })
        .await
        .expect("api creates its ordered consumer")
        .messages()
        .await
        .expect("api feed");

    // The subscriber: live, replayed (ordered consumer) and durable with acknowledgements.
    let mut live = subscriber.subscribe("causeway.events.>").await.expect("subscriber subscribes");
    let subscriber_js = jetstream::new(subscriber.clone());
    let subscriber_stream =
        subscriber_js.get_stream("CAUSEWAY_EVENTS").await.expect("subscriber reads the stream");
    let mut replay = subscriber_stream
        .create_consumer(pull::OrderedConfig { deliver_policy: DeliverPolicy::All, ..Default::default() })
        .await
        .expect("subscriber creates an ordered consumer")
        .messages()
        .await
        .expect("replay");
    let durable = subscriber_stream
        .create_consumer(pull::Config {
            durable_name: Some("audit".into()),
            filter_subject: "causeway.events.job.>".into(),
            ack_policy: AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .expect("subscriber creates a durable consumer");
    barrier(&subscriber).await;

    // The scheduler and the collector publish events with JetStream (acknowledged, deduplicated
    // by Nats-Msg-Id = outbox id).
    let publish = |client: async_nats::Client, subject: &'static str, id: &'static str| async move {
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", id);
        jetstream::new(client)
            .publish_with_headers(subject, headers, "{}".into())
            .await
            .unwrap_or_else(|err| panic!("publishing {subject}: {err}"))
            .await
            .unwrap_or_else(|err| panic!("ack of {subject}: {err}"))
    };
    let ack = publish(scheduler.clone(), "causeway.events.job.1.started", "1").await;
    assert_eq!((ack.stream.as_str(), ack.duplicate), ("CAUSEWAY_EVENTS", false));
    let ack = publish(collector.clone(), "causeway.events.job.1.succeeded", "2").await;
    assert!(!ack.duplicate);
    let again = publish(collector.clone(), "causeway.events.job.1.succeeded", "2").await;
    assert!(again.duplicate, "the duplicate window drops a republished outbox row");

    // Core subscribers see every publish, the duplicate too (JetStream drops it from the
    // stream only); consumers of the stream see each event once.
    for subject in [
        "causeway.events.job.1.started",
        "causeway.events.job.1.succeeded",
        "causeway.events.job.1.succeeded",
    ] {
        assert_eq!(next_subject(&mut live, "subscriber live").await, subject);
    }
    for subject in ["causeway.events.job.1.started", "causeway.events.job.1.succeeded"] {
        assert_eq!(next_stream_message(&mut replay, "subscriber replay").await.subject.as_str(), subject);
        assert_eq!(next_stream_message(&mut api_feed, "api feed").await.subject.as_str(), subject);
    }
    let mut batch = durable.fetch().max_messages(2).expires(WAIT).messages().await.expect("fetch");
    for subject in ["causeway.events.job.1.started", "causeway.events.job.1.succeeded"] {
        let message = next_stream_message(&mut batch, "durable").await;
        assert_eq!(message.subject.as_str(), subject);
        message.double_ack().await.expect("subscriber acknowledges");
    }

    // Scheduler commands: request/reply through the queue group `scheduler`.
    let mut nodes =
        scheduler.queue_subscribe("causeway.rpc.nodes", "scheduler".into()).await.expect("queue subscribe");
    barrier(&scheduler).await;
    let responder = scheduler.clone();
    let answering = tokio::spawn(async move {
        let request = nodes.next().await.expect("a request");
        let reply = request.reply.expect("reply subject");
        responder.publish(reply, r#"["node-1"]"#.into()).await.expect("reply");
        responder.flush().await.expect("flush");
    });
    let response = tokio::time::timeout(WAIT, api.request("causeway.rpc.nodes", "".into()))
        .await
        .expect("reply within the timeout")
        .expect("the scheduler answers the api");
    assert_eq!(&response.payload[..], br#"["node-1"]"#);
    answering.await.expect("responder");
    // ... and only as a member of that queue group.
    let _plain = scheduler.subscribe("causeway.rpc.>").await.expect("subscribe call");
    expect_violation(&mut scheduler_errors, "causeway.rpc.>").await;
    // The api may not answer commands itself.
    let _api_sub =
        api.queue_subscribe("causeway.rpc.nodes", "scheduler".into()).await.expect("subscribe call");
    expect_violation(&mut api_errors, "causeway.rpc.nodes").await;

    // The subscriber cannot publish events: refused, and nothing is delivered. A marker
    // published afterwards arrives first.
    subscriber.publish("causeway.events.job.1.forged", "{}".into()).await.expect("publish call");
    subscriber.flush().await.expect("flush");
    expect_violation(&mut subscriber_errors, "causeway.events.job.1.forged").await;
    publish(collector.clone(), "causeway.events.job.1.marker", "3").await;
    assert_eq!(next_subject(&mut live, "subscriber live").await, "causeway.events.job.1.marker");
    assert_eq!(
        next_stream_message(&mut api_feed, "api feed").await.subject.as_str(),
        "causeway.events.job.1.marker"
    );
    // ... nor send scheduler commands, subscribe to them, or delete the stream.
    subscriber.publish("causeway.rpc.nodes", "".into()).await.expect("publish call");
    expect_violation(&mut subscriber_errors, "causeway.rpc.nodes").await;
    let _rpc = subscriber.subscribe("causeway.rpc.>").await.expect("subscribe call");
    expect_violation(&mut subscriber_errors, "causeway.rpc.>").await;
    let inbox = subscriber.new_inbox();
    subscriber
        .publish_with_reply("$JS.API.STREAM.DELETE.CAUSEWAY_EVENTS", inbox, "".into())
        .await
        .expect("publish call");
    expect_violation(&mut subscriber_errors, "$JS.API.STREAM.DELETE.CAUSEWAY_EVENTS").await;

    let state = events.info().await.expect("the stream still exists").state.clone();
    assert_eq!(state.messages, 3, "started, succeeded and the marker; no duplicate, no forgery");
}
