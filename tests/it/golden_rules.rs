//! Golden Rules through the binary (being written by the segmentation work).
