package main

import (
	"encoding/json"
	"fmt"
)

// fixUndefinedSecurity gives operations that name a security scheme the API
// does not define (upstream copied them from another API) the API's usual
// requirements: the most common security list among its other operations.
func fixUndefinedSecurity(doc map[string]any) error {
	defined := child(child(doc, "components", false), "securitySchemes", false)
	ops := operations(doc)

	counts := map[string]int{}
	lists := map[string]any{}
	var broken []string
	for _, id := range sortedKeys(ops) {
		sec, ok := ops[id]["security"].([]any)
		if !ok {
			continue
		}
		if !allDefined(sec, defined) {
			broken = append(broken, id)
			continue
		}
		key, err := json.Marshal(sec)
		if err != nil {
			return fmt.Errorf("security of %s: %w", id, err)
		}
		counts[string(key)]++
		lists[string(key)] = sec
	}
	if len(broken) == 0 {
		return nil
	}
	best := ""
	for _, k := range sortedKeys(counts) {
		if best == "" || counts[k] > counts[best] {
			best = k
		}
	}
	if best == "" {
		return fmt.Errorf("operations %v name undefined security schemes and no operation has valid ones", broken)
	}
	for _, id := range broken {
		ops[id]["security"] = clone(lists[best])
	}
	return nil
}

func allDefined(sec []any, defined map[string]any) bool {
	for _, req := range sec {
		for name := range asMap(req) {
			if _, ok := defined[name]; !ok {
				return false
			}
		}
	}
	return true
}
