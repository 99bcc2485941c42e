package enhance

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics show operators what the gateway does and what it costs. They are
// created once per process and registered in each config's registry, which
// Caddy serves on the admin /metrics endpoint.
var metrics = struct {
	once      sync.Once
	pages     *prometheus.CounterVec
	bytes     prometheus.Counter
	actions   *prometheus.CounterVec
	gatewayIn *prometheus.HistogramVec
}{}

func initMetrics(registry *prometheus.Registry) error {
	const ns, sub = "caddy", "enhance"
	metrics.once.Do(func() {
		metrics.pages = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "pages_total",
			Help: "Responses seen by enhance: rewritten, or skipped and why.",
		}, []string{"outcome"})
		metrics.bytes = prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "rewritten_bytes_total",
			Help: "Bytes of HTML passed through the rewriter.",
		})
		metrics.actions = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "actions_total",
			Help: "Action requests answered, by result type and upstream status class.",
		}, []string{"result", "upstream"})
		metrics.gatewayIn = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "added_seconds",
			Help:    "Time enhance itself spends on a response: rewriting a page, or translating an action reply.",
			Buckets: []float64{.00001, .00005, .0001, .0005, .001, .005, .01, .05, .1},
		}, []string{"kind"})
	})
	for _, c := range []prometheus.Collector{metrics.pages, metrics.bytes, metrics.actions, metrics.gatewayIn} {
		if err := registry.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				return err
			}
		}
	}
	return nil
}

// statusClass names an upstream status for the actions counter.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "none"
	}
	return strconv.Itoa(status/100) + "xx"
}

func observeAction(resultType string, upstreamStatus int, added time.Duration) {
	metrics.actions.WithLabelValues(resultType, statusClass(upstreamStatus)).Inc()
	metrics.gatewayIn.WithLabelValues("action").Observe(added.Seconds())
}
