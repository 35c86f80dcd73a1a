"""Hồ sơ kiểm điểm pipeline."""
