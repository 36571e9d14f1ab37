// Declaration and read helpers shared by the model worlds (chain, lightning, federation,
// gateway): boolean, ratio, optional-integer, node-name and positive-duration fields, typed
// reads of node and link properties, and the "min <= max for every seed" check of a parameter
// pair.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scenario/world_registry.h"

namespace scenario {

FieldSpec bool_field(std::string name, std::string doc, bool def = false);
FieldSpec ratio_field(std::string name, std::string doc);
// An integer in [min, max] with no default: absent stays absent (the reader picks a fallback).
FieldSpec opt_int(std::string name, std::string doc, int64_t min, int64_t max);
// A required text that must name a topology node (an action's target).
FieldSpec node_field(std::string name, std::string doc);
// A duration that must be > 0 (a miner's interval, a poll period).
FieldSpec positive_duration_param(std::string name, std::string doc, sim::SimDuration def);

// Reads of props the parser filled in (declared with a default, so always present).
sim::SimDuration prop_duration(const TopologyNode& n, const std::string& name);
bool prop_flag(const TopologyNode& n, const std::string& name);
// An optional prop: its number, or `fallback` when the scenario did not write it.
int64_t prop_int_or(const std::map<std::string, Value>& props, const std::string& name,
                    int64_t fallback);

// Adds a diagnostic when some seed could pick `lo` > `hi` (both integer or duration params).
void check_param_order(const Scenario& s, const std::string& lo, const std::string& hi,
                       std::vector<Diagnostic>* out);

}  // namespace scenario
