package io.m365sync.policy;
