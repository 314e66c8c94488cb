package timeline

import "sync"

// parallel runs independent reads at once, each on its own pooled
// connection, so that a request waits for the slowest rather than for
// their sum, and returns the first error. Nil reads (nothing to read) are
// skipped; a single read runs on the caller's goroutine.
func parallel(fns ...func() error) error {
	var todo []func() error
	for _, fn := range fns {
		if fn != nil {
			todo = append(todo, fn)
		}
	}
	switch len(todo) {
	case 0:
		return nil
	case 1:
		return todo[0]()
	}
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for i, fn := range todo[1:] {
		wg.Go(func() { errs[i+1] = fn() })
	}
	errs[0] = todo[0]()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// when returns fn if cond holds, nil (nothing to read) otherwise.
func when(cond bool, fn func() error) func() error {
	if !cond {
		return nil
	}
	return fn
}
