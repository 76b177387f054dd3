// compose-check loads Compose files with compose-go, the library `docker compose` itself uses
// to read them (interpolation, merging of several -f files, profiles, consistency checks), and
// prints the resulting project as JSON. It stands in for `docker compose config` where no
// Compose CLI is installed; infra/test/compose-go.test.ts runs it.
//
//	compose-check -f docker-compose.yml [-f override.yml] [-env-file FILE] [-profile NAME]...
//
// Only the variables of -env-file (and none of the calling process's) are used for
// interpolation, so a test decides exactly what is set.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var files, profiles listFlag
	var envFile string
	flag.Var(&files, "f", "Compose file (repeatable, merged in order)")
	flag.Var(&profiles, "profile", "profile to enable (repeatable)")
	flag.StringVar(&envFile, "env-file", "", "file of VAR=value lines used for interpolation")
	flag.Parse()
	if len(files) == 0 {
		fail(fmt.Errorf("at least one -f FILE is required"))
	}

	opts := []cli.ProjectOptionsFn{
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
		cli.WithProfiles(profiles),
	}
	if envFile != "" {
		opts = append(opts, cli.WithEnvFiles(envFile), cli.WithDotEnv)
	}
	options, err := cli.NewProjectOptions(files, opts...)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
