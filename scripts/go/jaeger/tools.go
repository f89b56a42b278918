//go:build tools

// Package tools pins Jaeger v2 (module tag v1.76.0 = release v2.13.0); go.sum locks it.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
