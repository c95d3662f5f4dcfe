//! Run by zig/test_zig.sh as `zig test` (Debug): checks that the allocator
//! arena_vs_general.zig calls "zig_testing" is exactly std.testing.allocator's.
//! std.testing.allocator can only be referenced from a test build, so the
//! benchmark (a build-exe) uses GeneralPurposeAllocator(.{ .stack_trace_frames = 8 }),
//! which is what `GeneralPurposeAllocator(.{})` resolves to under `zig test`.
const std = @import("std");
const builtin = @import("builtin");

test "zig_testing is the type of std.testing.allocator_instance" {
    const Testing = @TypeOf(std.testing.allocator_instance);
    const Ours = std.heap.GeneralPurposeAllocator(.{ .stack_trace_frames = 8 });
    try std.testing.expect(Testing == Ours);
}

test "zig test builds Debug with safety on, so the testing GPA checks safety" {
    try std.testing.expect(builtin.mode == .Debug);
    try std.testing.expect(std.debug.runtime_safety);
}
