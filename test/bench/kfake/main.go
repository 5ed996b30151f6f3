// A one-broker franz-go kfake (github.com/twmb/franz-go/pkg/kfake, an in-memory Kafka) for the bench's optional
// side-by-side: `SAMSA_BENCH_KFAKE=<binary> node dist/test/bench/run.js scale kfake` (or the whole `npm run bench`).
// Usage: main [port]; port 0 (the default) picks a free one. Prints the listen address, serves until SIGTERM/SIGINT.
//
// Not built by CI and no franz-go code is kept here: it is built by hand outside the repository, with this file as the
// main package of a module whose dependencies are local copies of franz-go. The figures in README.md came from
// franz-go 06e62e6d (2026-07-03; kfake as at franz-go's tip but for a test and its pbkdf2 import) built with Go
// 1.23.5 (Debian bookworm-backports), the modules' `go` lines lowered to 1.23.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	port := 0
	if len(os.Args) > 1 {
		port, _ = strconv.Atoi(os.Args[1])
	}
	cluster, err := kfake.NewCluster(kfake.Ports(port)) // one port: one broker
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(cluster.ListenAddrs()[0])
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	cluster.Close()
}
