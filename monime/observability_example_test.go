package monime_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/monimekit/monime-go/api"
	"github.com/monimekit/monime-go/monime"
)

// The examples in this file show how to watch the client at work: its log,
// the ResponseInfo of a call, and tracing. Each runs against the fake Monime
// API on loopback, which is made to fail the first attempt so that a retry
// shows.

// flakyFake starts the fake Monime API on loopback with the next n creates
// answered 503 (with Retry-After: 1), and returns its URL.
func flakyFake(n int) (string, func()) {
	fake, err := api.New()
	if err != nil {
		log.Fatal(err)
	}
	err = fake.InjectFault(http.MethodPost, "/v1/checkout-sessions", n, api.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 1})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(fake)
	return srv.URL, func() { srv.Close(); fake.Close() }
}

// quickRetries keeps the examples fast: a Retry-After of one second is cut
// to the 5ms cap.
var quickRetries = monime.WithRetryBackoff(time.Millisecond, 5*time.Millisecond)

func cap1042() *monime.CheckoutSessionCreateParams {
	return &monime.CheckoutSessionCreateParams{
		Name:      "Order #1042",
		LineItems: []monime.LineItem{{Name: "Cap", Price: monime.Money{Currency: "SLE", Value: 9000}, Quantity: 1}},
	}
}

// WithLogger logs each attempt at Debug, each retry at Info and giving up at
// Warn, with the operation, the attempt, the status and Monime's request id;
// never a token, a body or metadata. Here two attempts meet an outage and
// the call gives up. (ReplaceAttr hides what changes from run to run.)
func ExampleWithLogger() {
	url, stop := flakyFake(2)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey:
				return slog.Attr{}
			case "took", "wait", "request_id":
				return slog.String(a.Key, "…")
			}
			return a
		},
	}))
	c, err := monime.NewClient(api.DefaultToken, api.DefaultSpaceID, monime.WithBaseURL(url),
		monime.WithLogger(logger), monime.WithMaxRetries(1), quickRetries)
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.CheckoutSessions.Create(context.Background(), cap1042())
	fmt.Println(err != nil)
	// Output:
	// level=DEBUG msg="monime: attempt" op="POST /v1/checkout-sessions" attempt=1 status=503 request_id=… took=…
	// level=INFO msg="monime: retrying" op="POST /v1/checkout-sessions" attempt=1 status=503 request_id=… wait=… reason="status 503"
	// level=DEBUG msg="monime: attempt" op="POST /v1/checkout-sessions" attempt=2 status=503 request_id=… took=…
	// level=WARN msg="monime: giving up" op="POST /v1/checkout-sessions" attempt=2 status=503 request_id=… reason="status 503"
	// true
}

// ResponseInfo tells what a call took: its attempts, its duration and how
// much of it was spent waiting between attempts.
func ExampleResponseInfo() {
	url, stop := flakyFake(1)
	defer stop()
	c, err := monime.NewClient(api.DefaultToken, api.DefaultSpaceID, monime.WithBaseURL(url), quickRetries)
	if err != nil {
		log.Fatal(err)
	}

	var info monime.ResponseInfo
	_, err = c.CheckoutSessions.Create(context.Background(), cap1042(), monime.WithResponseInfo(&info))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", info.StatusCode, "attempts:", info.Attempts)
	fmt.Println("request id and idempotency key:", info.RequestID != "", info.IdempotencyKey != "")
	fmt.Println("waited the capped Retry-After:", info.Waited >= 5*time.Millisecond)
	fmt.Println("took longer than it waited:", info.Duration > info.Waited)
	// Output:
	// status: 200 attempts: 2
	// request id and idempotency key: true true
	// waited the capped Retry-After: true
	// took longer than it waited: true
}

// The context you pass reaches every attempt's request, so a
// net/http/httptrace ClientTrace on it sees each attempt, retries included.
func Example_httptrace() {
	url, stop := flakyFake(1)
	defer stop()
	c, err := monime.NewClient(api.DefaultToken, api.DefaultSpaceID, monime.WithBaseURL(url), quickRetries)
	if err != nil {
		log.Fatal(err)
	}

	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			fmt.Println("request written, error:", info.Err)
		},
		GotFirstResponseByte: func() { fmt.Println("answer arriving") },
	})
	s, err := c.CheckoutSessions.Create(ctx, cap1042())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Status)
	// Output:
	// request written, error: <nil>
	// answer arriving
	// request written, error: <nil>
	// answer arriving
	// pending
}

// An instrumented transport, such as OpenTelemetry's otelhttp, goes in
// through WithHTTPClient and makes one client span per attempt, each a child
// of the span in the context you pass. The recorder here stands in for your
// exporter.
func ExampleWithHTTPClient_openTelemetry() {
	url, stop := flakyFake(1)
	defer stop()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())

	hc := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp))}
	c, err := monime.NewClient(api.DefaultToken, api.DefaultSpaceID, monime.WithBaseURL(url),
		monime.WithHTTPClient(hc), quickRetries)
	if err != nil {
		log.Fatal(err)
	}

	ctx, checkout := tp.Tracer("shop").Start(context.Background(), "checkout")
	if _, err := c.CheckoutSessions.Create(ctx, cap1042()); err != nil {
		log.Fatal(err)
	}
	checkout.End()

	for _, s := range spans.Ended() {
		if s.Name() == "checkout" {
			continue
		}
		for _, a := range s.Attributes() {
			if a.Key == attribute.Key("http.response.status_code") {
				fmt.Print(s.Name(), " ", a.Value.String())
			}
		}
		fmt.Println(", child of checkout:", s.Parent().SpanID() == checkout.SpanContext().SpanID())
	}
	// Output:
	// HTTP POST 503, child of checkout: true
	// HTTP POST 200, child of checkout: true
}
