package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestStartStopRestart(t *testing.T) {
	srv := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	query := func() (int, error) {
		conn, err := pgx.Connect(ctx, srv.URL("postgres"))
		if err != nil {
			return 0, err
		}
		defer conn.Close(ctx)
		var n int
		err = conn.QueryRow(ctx, "SELECT 41 + 1").Scan(&n)
		return n, err
	}
	if n, err := query(); err != nil || n != 42 {
		t.Fatalf("query: %d, %v", n, err)
	}
	srv.Stop(t)
	if _, err := query(); err == nil {
		t.Fatal("query succeeded on a stopped server")
	}
	srv.Restart(t)
	if n, err := query(); err != nil || n != 42 {
		t.Fatalf("query after restart: %d, %v", n, err)
	}
	wrong := *srv
	wrong.Password = "wrong"
	conn, err := pgx.Connect(ctx, wrong.URL("postgres"))
	if err == nil {
		conn.Close(ctx)
		t.Fatal("connected with a wrong password")
	}
}
