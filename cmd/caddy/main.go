// Command caddy is a Caddy build that includes the enhance module.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/caddy-enhance/enhance"
)

func main() {
	caddycmd.Main()
}
