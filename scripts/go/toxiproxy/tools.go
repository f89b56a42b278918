//go:build tools

// Package tools pins the Toxiproxy release the deployed e2e environment runs; go.sum locks it.
package tools

import (
	_ "github.com/Shopify/toxiproxy/v2/cmd/cli"
	_ "github.com/Shopify/toxiproxy/v2/cmd/server"
)
