package geo

import "fmt"

// WalkProfile prices walking: time on an edge is its length divided by the
// speed, multiplied by the kind's factor.
type WalkProfile struct {
	SpeedMPS    float64 // walking speed on the flat, metres per second
	StepsFactor float64 // time multiplier on steps (elders climb slowly)
}

// DefaultWalk is an elder's walk: 0.9 m/s, steps take twice as long.
// 0.9 m/s is close to older pedestrians' 15th-percentile speed.
func DefaultWalk() WalkProfile { return WalkProfile{SpeedMPS: 0.9, StepsFactor: 2} }

// PlainDistance prices every edge at its length: "seconds" are metres. It is
// the profile for checks against other tools.
func PlainDistance() WalkProfile { return WalkProfile{SpeedMPS: 1, StepsFactor: 1} }

// Validate reports a profile that cannot price a walk.
func (p WalkProfile) Validate() error {
	if !(p.SpeedMPS > 0) || p.SpeedMPS > 10 {
		return fmt.Errorf("walk profile: speed %.3g m/s is not in (0, 10]", p.SpeedMPS)
	}
	if !(p.StepsFactor >= 1) || p.StepsFactor > 20 {
		return fmt.Errorf("walk profile: steps factor %.3g is not in [1, 20]", p.StepsFactor)
	}
	return nil
}

// EdgeSeconds returns the time to walk length metres on an edge of kind k.
func (p WalkProfile) EdgeSeconds(length float64, k EdgeKind) float64 {
	s := length / p.SpeedMPS
	if k == EdgeSteps {
		s *= p.StepsFactor
	}
	return s
}

// AccessSeconds returns the time of the straight leg between a point and
// the network, walked on the flat.
func (p WalkProfile) AccessSeconds(metres float64) float64 { return metres / p.SpeedMPS }
