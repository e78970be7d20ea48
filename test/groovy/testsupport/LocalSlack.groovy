package testsupport

import com.sun.net.httpserver.HttpServer

/** A Slack incoming webhook on 127.0.0.1 (ephemeral port): keeps every posted body, answers 200 "ok". */
class LocalSlack {
    final HttpServer server
    final List<String> received = Collections.synchronizedList([])

    LocalSlack() {
        server = HttpServer.create(new InetSocketAddress('127.0.0.1', 0), 0)
        server.createContext('/services/') { exchange ->
            received << exchange.requestBody.getText('UTF-8')
            byte[] ok = 'ok'.bytes
            exchange.sendResponseHeaders(200, ok.length)
            exchange.responseBody.withStream { it.write(ok) }
        }
        server.start()
    }

    /** The webhook URL for a secret path such as `/services/T000/B000/token`. */
    String url(String path) { "http://127.0.0.1:${server.address.port}${path}".toString() }

    void stop() { server.stop(0) }
}
