// MongoDB wire-protocol server for local dev/tests, backed by bwaldvogel/mongo-java-server.
// Run with Java 17 single-file source launch (jars fetched by infra/pom.xml, profile "mongo"):
//
//   java -cp '<dataDir>/jars/mongo/*' infra/mongo/MongoWireServer.java [port] [dataFile|:memory:] [host]
//
// Defaults: port 27017, host 127.0.0.1, dataFile :memory:. A dataFile path selects the H2
// (MVStore) backend, which persists to that file; ":memory:" selects the memory backend.
// On SIGTERM/SIGINT the server stops listening and the H2 store is committed and closed.

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.File;
import java.util.List;
import java.util.concurrent.CountDownLatch;

public class MongoWireServer {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // Never hang on non-daemon threads (netty, H2) after a startup failure.
            System.err.println("MongoWireServer: failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 27017;
        String dataFile = args.length > 1 ? args[1] : ":memory:";
        String host = args.length > 2 ? args[2] : "127.0.0.1";

        final MongoBackend backend;
        final String kind;
        if (dataFile.isEmpty() || dataFile.equals(":memory:")) {
            backend = new MemoryBackend();
            kind = "memory";
        } else {
            File f = new File(dataFile).getAbsoluteFile();
            File parent = f.getParentFile();
            if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
                throw new IllegalStateException("cannot create directory " + parent);
            }
            backend = new H2Backend(f.getPath());
            kind = "h2:" + f.getPath();
        }
        // The official Node driver v7 refuses servers below wire version 9 (MongoDB 4.4), but
        // mongo-java-server's newest preset (MONGO_5_0) reports wire version 8. Report 4.4 / wire 9:
        // the lowest the driver accepts, so it uses no newer protocol features.
        backend.version(new MongoVersion() {
            @Override
            public List<Integer> getVersionArray() {
                return List.of(4, 4, 0);
            }

            @Override
            public int getWireVersion() {
                return 9;
            }
        });

        final MongoServer server = new MongoServer(backend);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("MongoWireServer: shutting down");
            try {
                server.shutdown(); // also closes the backend (commits the H2 store)
            } catch (RuntimeException e) {
                e.printStackTrace();
            }
            stopped.countDown();
            System.out.println("MongoWireServer: stopped");
        }, "mongo-shutdown"));

        try {
            server.bind(host, port);
        } catch (RuntimeException e) {
            // e.g. port already in use: exit non-zero instead of hanging on netty's threads
            System.err.println("MongoWireServer: cannot bind " + host + ":" + port + ": " + e);
            System.exit(2);
        }
        System.out.println("MongoWireServer listening on " + host + ":" + port + " backend=" + kind
                + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        stopped.await();
    }
}
