package io.convjob.init;

/** placeholder */
public record ConvParams(float[] weight, float[] bias) {}
